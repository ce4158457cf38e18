/**
 * Junk through the grammar: unicode, control characters, injection strings, Discord markup, weights syntax
 * and long lines (up to 1 MB). Counts crashes (a throw, or a result out of its documented bounds), hangs
 * (over 2 s) and the slowest input; and whether the junk of issue 29 item 5 still makes weights.
 */
import { parseDescription } from '../../src/grammar/index.js';

const PIECES = [
  'a', 'smiling', 'older', 'man', 'woman', 'glasses', '70', 'year', 'old', 'not', 'very', 'no', 'keep', 'same',
  '@everyone', '<@123456789012345678>', '<@-1>', '<#42>', '<:smile:123>', '<a:wave:9>', '<t:1700000000:R>',
  "'; DROP TABLE faces; --", '${process.exit()}', '{{7*7}}', '<script>alert(1)</script>', '../../etc/passwd',
  'Male=1', 'Young=-0.5', 'x 7 y', '\u0000', '\u202e', '\u200b', '\ud83d\ude00', '\ud83d', 'ﷺ', 'Ω', '\n', '\t',
  '💀', '👨‍👩‍👧', 'ｆｕｌｌｗｉｄｔｈ', 'é́́́', '9'.repeat(40), '.', ',', '!!!', 'y/o', 'w/o', '1=1', '10/10',
];

/** The junk of issue 29 item 5: none of it may set a weight or an age. */
export const ISSUE_JUNK = ['x 7 y', '@everyone <@-1>', '<:smile:123>', 'Young=-0.5 <@1>', 'id:12 n=5'];

function junk(rand: () => number): string {
  if (rand() < 0.01) return PIECES[Math.floor(rand() * PIECES.length)]!.repeat(1 + Math.floor(rand() * 200_000)).slice(0, 1 << 20);
  const n = 1 + Math.floor(rand() * 30);
  let s = '';
  for (let i = 0; i < n; i++) {
    s += rand() < 0.15 ? String.fromCharCode(Math.floor(rand() * 0xffff)) : PIECES[Math.floor(rand() * PIECES.length)]!;
    s += rand() < 0.7 ? ' ' : '';
  }
  return s;
}

function wellFormed(r: ReturnType<typeof parseDescription>): boolean {
  const ws = Object.values(r.weights) as number[];
  if (!ws.every((w) => Number.isFinite(w) && Math.abs(w) <= 2)) return false;
  if (r.age && !(r.age.mode === 'step' ? Math.abs(r.age.years) <= 50 : r.age.years >= 0 && r.age.years <= 130)) return false;
  return r.notes.length <= 8 && r.unknown.length <= 20 && r.unknown.every((u) => u.length <= 40);
}

export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

export function fuzz(count: number, seed = 29): { inputs: number; crashes: number; hangs: number; slowestMs: number; junkWithWeights: number } {
  const rand = seeded(seed);
  let crashes = 0;
  let hangs = 0;
  let slowestMs = 0;
  for (let i = 0; i < count; i++) {
    const text = junk(rand);
    const t0 = performance.now();
    try {
      if (!wellFormed(parseDescription(text))) crashes++;
    } catch {
      crashes++;
    }
    const ms = performance.now() - t0;
    slowestMs = Math.max(slowestMs, ms);
    if (ms > 2000) hangs++;
  }
  const junkWithWeights = ISSUE_JUNK.filter((t) => Object.keys(parseDescription(t).weights).length > 0).length;
  return { inputs: count, crashes, hangs, slowestMs, junkWithWeights };
}
