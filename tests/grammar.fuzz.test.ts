/**
 * 100k random inputs (seeded; tests/grammar.fuzz-inputs.ts): ASCII noise, random unicode, emoji, control
 * characters, and vocabulary words mixed with junk. None may throw and every result must be well-formed.
 * How long they take is measured by `npm run bench` (bench/parser.ts), not asserted here: timings on a
 * shared, loaded machine say little about the parser.
 */
import { describe, expect, it } from 'vitest';
import { ALL_ATTRIBUTES } from '../src/face/attributes.js';
import { parseDescription, type ParseResult } from '../src/grammar/index.js';
import { FUZZ_COUNT, fuzzInputs } from './grammar.fuzz-inputs.js';

const VALID = new Set<string>(ALL_ATTRIBUTES); // the 40 and the loaded added attributes (appearance words name them)
/** How long 100k parses take depends on the machine and its load: this bound only stops a hang. */
const FUZZ_TIMEOUT_MS = 15 * 60_000;

function wellFormed(r: ParseResult): string | null {
  const weights = Object.entries(r.weights);
  for (const [name, w] of weights) {
    if (!VALID.has(name)) return `bad attribute ${name}`;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < -2 || w > 2) return `bad weight ${name}=${w}`;
    const mode = (r.mode as Record<string, unknown>)[name];
    if (mode !== 'target' && mode !== 'step') return `bad mode ${name}=${String(mode)}`;
  }
  if (Object.keys(r.mode).length !== weights.length) return 'mode and weights differ';
  if (!r.locks.every((l) => VALID.has(l)) || new Set(r.locks).size !== r.locks.length) return 'bad locks';
  if (r.unknown.length > 20) return `unknown too long (${r.unknown.length})`;
  if (!r.unknown.every((u) => typeof u === 'string' && u.length > 0 && [...u].length <= 40 && u === u.trim())) return 'bad unknown entry';
  if (new Set(r.unknown.map((u) => u.toLowerCase())).size !== r.unknown.length) return 'duplicate unknown entries';
  if (r.notes.length > 8 || !r.notes.every((n) => typeof n === 'string' && n.length < 300)) return 'bad notes';
  return null;
}

describe('grammar fuzz', () => {
  it('100k random inputs: never throws, always well-formed', async () => {
    let n = 0;
    for (const input of fuzzInputs()) {
      const problem = wellFormed(parseDescription(input));
      if (problem) expect.fail(`${problem} for input ${JSON.stringify(input.slice(0, 200))}`);
      // Let the worker answer vitest now and then: a long synchronous loop on a busy machine times its RPC out.
      if (++n % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(n).toBe(FUZZ_COUNT);
  }, FUZZ_TIMEOUT_MS);

  it('a wall of 4000 emoji gives a short result with a note', () => {
    const r = parseDescription('🤷🏽‍♀️🏳️‍🌈'.repeat(400).slice(0, 4000));
    expect(wellFormed(r)).toBeNull();
    expect(JSON.stringify(r).length).toBeLessThan(3000);
    expect(r.notes.join(' ')).toMatch(/ignored/);
  });

  it('4000 characters of text are cut, with a note, and the start still parses', () => {
    const r = parseDescription(`an old man with glasses, ${'lorem ipsum dolor '.repeat(250)}`);
    expect(r.weights.Young).toBeLessThan(0);
    expect(r.weights.Eyeglasses).toBeGreaterThan(0);
    expect(r.unknown.length).toBeLessThanOrEqual(20);
    expect(r.notes.join(' ')).toMatch(/ignored/);
  });

  it('empty, whitespace, control characters and non-strings give an empty result', () => {
    for (const input of ['', '   ', '\n\n', '\u0000\u0007\u001b[31m', '\u202e\u200b', '...,,,;;;']) {
      const r = parseDescription(input);
      expect(wellFormed(r)).toBeNull();
      expect(r.weights).toEqual({});
    }
    expect(parseDescription(undefined as unknown as string).weights).toEqual({});
    expect(parseDescription(42 as unknown as string).weights).toEqual({});
  });

  it('unknown words come back as typed, without control characters', () => {
    const r = parseDescription('an old man with a \u0007Tattoo\u0000 and a ScaR');
    expect(r.unknown).toEqual(['Tattoo', 'ScaR']);
  });
});
