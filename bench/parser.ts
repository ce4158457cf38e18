/**
 * Parser speed: descriptions per second for a realistic mix of descriptions and refinements, for the
 * same with typos (steady state: the typo cache is warm), and for inputs full of typos never seen before
 * (every one a fuzzy search, the slow path); the latency of one description (p50 / p99 / max); and the
 * grammar fuzz set (tests/grammar.fuzz-inputs.ts): mean time per input and the slowest single input,
 * re-timed cold. These are the figures the tests used to assert (> 20,000 descriptions/s, < 1 ms per
 * fuzz input on average, slowest fuzz input < 50 ms); they are printed here, not checked, because a
 * loaded machine fails timing assertions whatever the parser does.
 */
import { parseDescription } from '../src/grammar/index.js';
import { clearWordCache } from '../src/grammar/fuzzy.js';
import { fuzzInputs } from '../tests/grammar.fuzz-inputs.js';
import { percentile } from './stats.js';

const REALISTIC = [
  'older man, smiling, more beard, receding hairline',
  'a young woman with long blonde hair and red lipstick',
  'make him younger',
  'no glasses',
  'a bit more smile',
  'give her blonde hair',
  'an 80 year old man',
  'in her twenties, wavy brown hair, earrings',
  'keep the gender but make her older',
  'a chubby bald guy with a goatee and a double chin',
  'pretty girl with bangs and heavy makeup',
  'grumpy old man with bushy eyebrows and glasses',
  'a man in his 40s with salt and pepper hair and stubble',
  'remove the hat and the sunglasses',
  'much older, less makeup',
  'a tired looking woman with bags under her eyes',
  'handsome man with a strong jawline, clean shaven',
  'redhead with pale skin and rosy cheeks',
  'a smiling kid wearing a baseball cap',
  'an elderly lady with grey hair, pearls and a warm smile',
  'slightly chubby, mouth open, surprised',
  'a serious businessman in a suit and tie',
  'take off the glasses and give him a moustache',
  'a teenager with curly black hair and a big nose',
  'even older',
];
const TYPOS = [
  'old man with a beerd and glases',
  'a blnde woman smilling',
  'a yung man with a mustash',
  'grumpy granpa with bushey eyebrows',
  'a womn with curly har and earings',
  'no glases, more smilw',
];

function measure(label: string, next: (i: number) => string, seconds = 1): void {
  for (let i = 0; i < 2000; i++) parseDescription(next(i)); // warm up
  let n = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let k = 0; k < 200; k++) parseDescription(next(n++));
  }
  const elapsed = (performance.now() - start) / 1000;
  console.log(`  ${label.padEnd(44)} ${Math.round(n / elapsed).toLocaleString('en-US').padStart(9)} descriptions/s`);
}

/** A word with one random letter dropped, doubled or swapped: a typo never seen before (mostly). */
function freshTypo(i: number): string {
  const words = ['beard', 'glasses', 'blonde', 'smiling', 'moustache', 'earrings', 'freckles', 'eyebrows', 'wrinkled', 'lipstick'];
  const w = words[i % words.length] as string;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const at = 1 + (i % (w.length - 1));
  const extra = letters[Math.floor(i / words.length) % 26] as string;
  const extra2 = letters[Math.floor(i / (words.length * 26)) % 26] as string;
  return `old man with ${w.slice(0, at)}${extra}${extra2}${w.slice(at + 1)}`;
}

/** Per-description latency of the realistic mix, timed one parse at a time. */
function latency(label: string, inputs: readonly string[], n = 20_000): void {
  for (let i = 0; i < 2000; i++) parseDescription(inputs[i % inputs.length] as string); // warm up
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    parseDescription(inputs[i % inputs.length] as string);
    ms.push(performance.now() - t0);
  }
  const us = (v: number) => `${(v * 1000).toFixed(1)} µs`;
  console.log(`  ${label.padEnd(44)} p50 ${us(percentile(ms, 50))}, p99 ${us(percentile(ms, 99))}, max ${Math.max(...ms).toFixed(1)} ms per description`);
}

/** The fuzz set: mean time per input, and the slowest inputs re-timed cold (word cache cleared), best of 3. */
function fuzzSet(): void {
  parseDescription('warm up: an old beerd man with glases'); // loads lazily built indexes
  let slow: Array<{ input: string; ms: number }> = [];
  let n = 0;
  const started = performance.now();
  for (const input of fuzzInputs()) {
    const t0 = performance.now();
    parseDescription(input);
    const ms = performance.now() - t0;
    n++;
    if (slow.length < 20 || ms > (slow[slow.length - 1] as { ms: number }).ms) {
      slow.push({ input, ms });
      slow = slow.sort((a, b) => b.ms - a.ms).slice(0, 20);
    }
  }
  const total = performance.now() - started;
  const retimed = slow.map(({ input, ms }) => {
    let best = ms;
    for (let k = 0; k < 3; k++) {
      clearWordCache();
      const t0 = performance.now();
      parseDescription(input);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  });
  console.log(
    `  fuzz set (${n.toLocaleString('en-US')} seeded inputs)`.padEnd(46) +
      ` ${(total / n).toFixed(3)} ms per input on average (${(total / 1000).toFixed(1)} s in all); slowest input ${(slow[0]?.ms ?? 0).toFixed(1)} ms as first timed, ${Math.max(...retimed).toFixed(1)} ms re-timed cold`,
  );
}

export async function benchParser(): Promise<void> {
  console.log('parser (src/grammar):');
  measure('realistic mix', (i) => REALISTIC[i % REALISTIC.length] as string);
  const mixed = [...REALISTIC.slice(0, 12), ...TYPOS];
  measure('realistic mix with typos (cache warm)', (i) => mixed[i % mixed.length] as string);
  measure('a never-seen typo in every input', freshTypo);
  const long = REALISTIC.join(', ').repeat(4);
  measure(`long input (${long.length} chars)`, () => long, 0.5);
  latency('latency, realistic mix', REALISTIC);
  fuzzSet();
}

if (import.meta.url === `file://${process.argv[1]}`) await benchParser();
