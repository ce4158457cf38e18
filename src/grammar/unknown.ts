/**
 * Collects the parts of a description that were not understood and reports them as typed:
 * neighbouring words merged into short phrases ("blue eyes"), deduplicated, trimmed and bounded,
 * so that a pasted wall of emoji gives a short list, not a megabyte.
 */
import type { Input } from './match.js';

export const MAX_UNKNOWN = 20;
const MAX_UNKNOWN_CHARS = 40;
const MAX_WORDS_PER_PHRASE = 3;

export class UnknownSpans {
  private readonly spans: Array<[number, number]> = [];

  constructor(private readonly input: Input) {}

  /** Tokens [from, to) were not understood. */
  add(from: number, to: number): void {
    if (to > from) this.spans.push([from, to]);
  }

  covers(i: number): boolean {
    return this.spans.some(([a, b]) => i >= a && i < b);
  }

  /** The punctuation mark at `mark` joins the tokens either side of it, with no space, into one ("3.5", "10/10"). */
  private glued(mark: number, next: number): boolean {
    if (next !== mark + 1) return false;
    const [before, m, after] = [this.input.tokens[mark - 1], this.input.tokens[mark], this.input.tokens[next]];
    return before !== undefined && m !== undefined && after !== undefined && m.kind === 'punct' && before.end === m.start && m.end === after.start;
  }

  list(): string[] {
    const sorted = [...this.spans].sort((x, y) => x[0] - y[0] || y[1] - x[1]);
    const merged: Array<[number, number]> = [];
    for (const [a, b] of sorted) {
      const last = merged[merged.length - 1];
      if (last && (a < last[1] || (a === last[1] && b - last[0] <= MAX_WORDS_PER_PHRASE) || this.glued(last[1], a))) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    const out: string[] = [];
    const seen = new Set<string>();
    for (const [a, b] of merged) {
      let text = this.input.typed(a, b);
      if (text.length > MAX_UNKNOWN_CHARS) text = `${[...text].slice(0, MAX_UNKNOWN_CHARS - 1).join('')}…`;
      const key = text.toLowerCase();
      if (text.length === 0 || seen.has(key)) continue;
      seen.add(key);
      out.push(text);
      if (out.length >= MAX_UNKNOWN) break;
    }
    return out;
  }
}
