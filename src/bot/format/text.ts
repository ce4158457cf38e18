/** Discord limits we format against. */
export const CONTENT_LIMIT = 2000;
export const EMBED_DESCRIPTION_LIMIT = 4096;
export const EMBED_TOTAL_LIMIT = 6000;
export const EMBEDS_PER_MESSAGE = 10;

/** Cuts text to `max` characters, marking the cut with an ellipsis. */
export function clamp(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** 1 → "1st", 2 → "2nd", 3 → "3rd", 11 → "11th", 22 → "22nd". */
export function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  const suffix = ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

export function queueMessage(position: number): string {
  return position <= 1 ? 'rendering… next in line' : `rendering… ${ordinal(position)} in line`;
}

/**
 * Splits text into chunks of at most `max` characters, preferring line breaks, so that no chunk
 * breaks Discord's limits (a single overlong line is hard-split).
 */
export function splitLines(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  const push = () => {
    if (current.trim()) chunks.push(current.replace(/\n+$/, ''));
    current = '';
  };
  for (const raw of text.split('\n')) {
    let line = raw;
    while (line.length > max) {
      push();
      chunks.push(line.slice(0, max));
      line = line.slice(max);
    }
    const next = current ? `${current}\n${line}` : line;
    if (next.length > max) {
      push();
      current = line;
    } else {
      current = next;
    }
  }
  push();
  return chunks;
}
