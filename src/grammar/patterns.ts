/**
 * Expands the compact phrase patterns used in prompts/*.json:
 * "(a|b) nose" -> "a nose", "b nose"; "bags under [his|her] eyes" -> with and without the optional word.
 */
const GROUP = /\(([^()]*\|[^()]*)\)|\[([^[\]]*)\]/;
const MAX_EXPANSIONS = 256;

function expand(pattern: string): string[] {
  const m = GROUP.exec(pattern);
  if (!m) return [pattern];
  const head = pattern.slice(0, m.index);
  const tails = expand(pattern.slice(m.index + m[0].length));
  const alternatives = (m[1] ?? m[2] ?? '').split('|').map((s) => s.trim());
  if (m[2] !== undefined) alternatives.push('');
  const result: string[] = [];
  for (const alt of alternatives) {
    for (const tail of tails) {
      result.push(`${head}${alt}${tail}`);
      if (result.length > MAX_EXPANSIONS) throw new Error(`pattern expands too much: ${pattern}`);
    }
  }
  return result;
}

export function expandPattern(pattern: string): string[] {
  return expand(pattern)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
}
