/**
 * The grammar fuzz set: seeded random inputs (ASCII noise, random unicode, emoji, control characters,
 * vocabulary words mixed with junk, lowercase word salad). Shared by tests/grammar.fuzz.test.ts, which
 * checks that every result is well-formed, and bench/parser.ts, which times the same inputs.
 */
import { mulberry32 as prng } from '../src/latent/seed.js';

/** The seed and size of the fuzz set. */
export const FUZZ_SEED = 20240601;
export const FUZZ_COUNT = 100_000;

/** mulberry32: small, fast, seeded. */
export { prng };

const WORDS = [
  'old', 'man', 'woman', 'no', 'not', 'very', 'slightly', 'more', 'less', 'beard', 'glasses', 'blonde', 'grey', 'hair', 'smiling',
  'keep', 'the', 'gender', 'same', 'age', '80', 'year', 'twenties', 'in', 'her', 'his', 'him', 'make', 'younger', 'older', 'a', 'bit',
  'without', 'and', 'or', ',', '.', 'too', 'much', 'black', 'hat', 'red', 'lipstick', 'big', 'nose', 'off', 'remove', 'beerd', 'glases',
  'blnde', 'smilling', '😀', '👓', '🧔', 'don\'t', 'change', 'everything', 'else', 'unchanged', 'dark', 'brown', 'eyes', 'blue', 'pretty',
  'heavy', 'makeup', 'thin', 'lips', 'over', 'aged', '5', 'o\'clock', 'shadow', 'w/o', 'y/o', 'late', 'early', 'mid', '40s', 'thirty',
];
const EMOJI = ['😀', '👓', '🧔', '👩‍🦰', '🏳️‍🌈', '👨‍👩‍👧‍👦', '🇫🇷', '❤️', '🤷🏽‍♀️', '🦰', '☺️', '🕶'];

export function randomInput(rand: () => number): string {
  const kind = Math.floor(rand() * 7);
  const len = Math.floor(rand() * (rand() < 0.02 ? 4000 : 120));
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  let s = '';
  switch (kind) {
    case 0: // printable ASCII
      for (let i = 0; i < len; i++) s += String.fromCharCode(32 + Math.floor(rand() * 95));
      break;
    case 1: // any UTF-16 code unit, lone surrogates and control characters included
      for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(rand() * 0x10000));
      break;
    case 2: // any code point
      for (let i = 0; i < len; i++) s += String.fromCodePoint(Math.floor(rand() * 0x110000));
      break;
    case 3: // emoji
      for (let i = 0; i < len; i++) s += pick(EMOJI);
      break;
    case 4: // vocabulary and junk
      for (let i = 0; i < len / 4; i++) s += `${rand() < 0.8 ? pick(WORDS) : String.fromCharCode(Math.floor(rand() * 0x3000))} `;
      break;
    case 5: // control characters and whitespace
      for (let i = 0; i < len; i++) s += String.fromCharCode(pick([0, 7, 8, 9, 10, 11, 12, 13, 27, 127, 0x200b, 0x202e, 0xfeff, 0x2028]));
      break;
    default: // lowercase word salad (exercises stemming and typo search)
      for (let i = 0; i < len / 6; i++) {
        const n = 1 + Math.floor(rand() * 10);
        for (let k = 0; k < n; k++) s += String.fromCharCode(97 + Math.floor(rand() * 26));
        s += ' ';
      }
  }
  return s;
}

/** The whole fuzz set, in order. */
export function* fuzzInputs(count = FUZZ_COUNT, seed = FUZZ_SEED): Generator<string> {
  const rand = prng(seed);
  for (let i = 0; i < count; i++) yield randomInput(rand);
}
