/**
 * Maps a typed word to a word the vocabulary knows: exactly, as chat filler ("hahaha", "lolol"), with
 * a drawn-out letter shortened ("smiiiling"), by stem (natural's PorterStemmer: "smiles" -> "smile"),
 * or as a typo (fuse.js finds candidates: "beerd" -> "beard"). Stemming and typo matching only run for
 * words not found exactly, and their results are cached in a bounded Map.
 *
 * A typo must be one a person plausibly makes (typoCost): a dropped letter, a doubled or stray letter
 * next to a key it belongs with, two letters swapped, or one letter swapped for a neighbouring key, a
 * vowel for a vowel, or a sound-alike ("c"/"k"). One such slip in a word of up to 6 letters, two in a
 * longer one; the first letter stays (or swaps with the second). A word without a vowel is only read
 * as a word whose one vowel was dropped ("frwn"), a run of four of one letter never is a typo, and
 * nothing is ever read as a word that only glues a sentence together ("the", "please"). So gibberish
 * ("xyzzy plugh", "xkcd") stays not understood instead of becoming an edit.
 */
import { createRequire } from 'node:module';
import Fuse from 'fuse.js';
import { isEnglishWord } from './english.js';
import { DATA } from './data.js';
import { LEXICON, lookup } from './vocabulary.js';

interface Stemmer {
  stem(token: string): string;
}
// Only the stemmer: the package's main entry loads all of `natural` (seconds, and it prints to stdout).
const PorterStemmer = createRequire(import.meta.url)('natural/lib/natural/stemmers/porter_stemmer.js') as Stemmer;

/** Typo matching: words of this length only, ASCII letters only. */
const FUZZY_MIN_LENGTH = 4;
const FUZZY_MAX_LENGTH = 20;
/** fuse.js score threshold (0 = exact, 1 = anything). */
const FUZZY_THRESHOLD = 0.34;
const CACHE_LIMIT = 4096;
const FUZZY_WORD = /^[a-z]+$/;

export interface Canonical {
  word: string | null;
  /** True when the word was read as a typo of `word`. */
  typo: boolean;
}

const NOT_FOUND: Canonical = { word: null, typo: false };
const REAL_WORDS = new Set(DATA.stopwords.realWords);
const FILLER_PATTERNS = DATA.stopwords.fillerPatterns.map((source) => new RegExp(source, 'u'));
/** What a word matching a filler pattern is read as: the first filler word (no meaning of its own). */
const FILLER_WORD = DATA.stopwords.filler[0] ?? '';
if (!LEXICON.has(FILLER_WORD)) throw new Error(`prompts/stopwords.json: the first filler phrase must be one word (got '${FILLER_WORD}')`);
const VOWEL = /[aeiouy]/;
const VOWEL_ALL = /[aeiouy]/g;
/** A letter typed three or more times in a row ("smiiiling", "loooong"). */
const DRAWN_OUT = /(.)\1{2,}/;
const DRAWN_OUT_ALL = new RegExp(DRAWN_OUT.source, 'g');
/** Four times in a row is never a slip of the finger ("aaaargh"); three may be ("seveee"). */
const RUN_OF_FOUR = /(.)\1{3,}/;

/** stem -> shortest vocabulary word with that stem. */
const STEMS = new Map<string, string>();
/** First letter + length -> fuse index over the vocabulary words of that shape (small indexes search fast). */
const FUSES = new Map<string, Fuse<string>>();
/** The words a typo may be read as. */
const TYPO_TARGETS = new Set<string>();
/** A typo target with one vowel, without it ("frwn" -> "frown"); null where two targets share the letters ("blnd"). */
const VOWEL_DROPPED = new Map<string, string | null>();

/** Words that only glue a description together ("the", "face", "him"): an unknown word is never read as one by stem ("earings" is not "ear"). */
function isFunctionWord(word: string): boolean {
  const m = lookup([word]);
  if (!m) return false;
  return Object.keys(m).every((k) => k === 'stop' || k === 'head' || k === 'person' || k === 'pronoun' || k === 'conj' || k === 'lockObject');
}

/** Words that only glue a sentence together or are filler ("the", "please", "lol"): no typo is read as one. */
function isStopOnly(word: string): boolean {
  const m = lookup([word]);
  return m !== null && Object.keys(m).every((k) => k === 'stop');
}

function buildIndexes(): void {
  const byLetter = new Map<string, string[]>();
  for (const word of LEXICON) {
    if (!FUZZY_WORD.test(word)) continue;
    if (!isFunctionWord(word)) {
      const stem = PorterStemmer.stem(word);
      const prev = STEMS.get(stem);
      if (prev === undefined || word.length < prev.length) STEMS.set(stem, word);
    }
    if (word.length < FUZZY_MIN_LENGTH - 1 || isStopOnly(word)) continue;
    TYPO_TARGETS.add(word);
    const vowels = [...word].filter(isVowel).length;
    if (vowels === 1 && word.length > FUZZY_MIN_LENGTH) {
      const skeleton = word.replace(VOWEL_ALL, '');
      VOWEL_DROPPED.set(skeleton, VOWEL_DROPPED.has(skeleton) ? null : word);
    }
    const key = `${word[0]}${word.length}`;
    const list = byLetter.get(key) ?? [];
    list.push(word);
    byLetter.set(key, list);
  }
  for (const [key, words] of byLetter) {
    FUSES.set(key, new Fuse(words, { includeScore: true, threshold: FUZZY_THRESHOLD, ignoreLocation: true, isCaseSensitive: true }));
  }
}
buildIndexes();

const KEYBOARD = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
/** Letter -> the letters on the keys around it (QWERTY). */
const NEAR_KEYS = new Map<string, string>();
KEYBOARD.forEach((row, r) => {
  [...row].forEach((c, k) => {
    const up = KEYBOARD[r - 1] ?? '';
    const down = KEYBOARD[r + 1] ?? '';
    NEAR_KEYS.set(c, [row[k - 1], row[k + 1], up[k], up[k + 1], down[k - 1], down[k]].filter((x) => x !== undefined).join(''));
  });
});
/** Letters that spell the same sound, so a speller swaps them ("mustash", "musdache" is not one). */
const SOUND_ALIKE = new Set(['ck', 'kc', 'cs', 'sc', 'sz', 'zs', 'kq', 'qk', 'gj', 'jg']);
/** The cost of a slip a person is unlikely to make: as much as two plausible ones. */
const UNLIKELY = 2;

function isVowel(c: string): boolean {
  return 'aeiouy'.includes(c);
}

function nearKeys(a: string, b: string): boolean {
  return NEAR_KEYS.get(a)?.includes(b) === true;
}

/** Typing `typed` where `meant` was meant. */
function substitutionCost(typed: string, meant: string): number {
  if (typed === meant) return 0;
  return (isVowel(typed) && isVowel(meant)) || nearKeys(typed, meant) || SOUND_ALIKE.has(typed + meant) ? 1 : UNLIKELY;
}

/** A letter typed at k that was not meant: plausible if it doubles or sits next to a neighbour's key, or is a vowel. */
function strayLetterCost(typed: string, k: number): number {
  const c = typed[k] as string;
  const neighbours = [typed[k - 1], typed[k + 1]].filter((x) => x !== undefined);
  return isVowel(c) || neighbours.some((n) => n === c || nearKeys(n, c)) ? 1 : UNLIKELY;
}

/**
 * The cost of typing `typed` for `meant`: optimal string alignment (Levenshtein plus adjacent
 * transpositions) where a plausible slip costs 1 and an unlikely one 2 (substitutionCost,
 * strayLetterCost); a dropped letter or two swapped letters cost 1. Capped: above `cap` gives cap + 1.
 */
export function typoCost(typed: string, meant: string, cap: number): number {
  if (Math.abs(typed.length - meant.length) > cap) return cap + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= typed.length; i++) {
    const row = new Array<number>(meant.length + 1).fill(0);
    row[0] = i === 0 ? 0 : (rows[i - 1] as number[])[0]! + strayLetterCost(typed, i - 1);
    rows.push(row);
  }
  const first = rows[0] as number[];
  for (let j = 0; j <= meant.length; j++) first[j] = j;
  for (let i = 1; i <= typed.length; i++) {
    const row = rows[i] as number[];
    const up = rows[i - 1] as number[];
    const stray = strayLetterCost(typed, i - 1);
    let best = row[0] as number;
    for (let j = 1; j <= meant.length; j++) {
      let v = Math.min((up[j] as number) + stray, (row[j - 1] as number) + 1, (up[j - 1] as number) + substitutionCost(typed[i - 1] as string, meant[j - 1] as string));
      if (i > 1 && j > 1 && typed[i - 1] === meant[j - 2] && typed[i - 2] === meant[j - 1] && typed[i - 1] !== typed[i - 2]) {
        v = Math.min(v, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = v;
      if (v < best) best = v;
    }
    if (best > cap) return cap + 1;
  }
  return Math.min(cap + 1, (rows[typed.length] as number[])[meant.length] as number);
}

const SHORT_WORD = 4;

function sortedLetters(word: string): string {
  return [...word].sort().join('');
}

function typoOf(word: string): string | null {
  const cap = word.length <= 6 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = cap + 1;
  for (let length = word.length - cap; length <= word.length + cap; length++) {
    const fuse = FUSES.get(`${word[0]}${length}`);
    if (!fuse) continue;
    for (const { item } of fuse.search(word, { limit: 4 })) {
      // A one-letter swap in a short word mostly makes another real word ("pipe" / "pope"):
      // short words are only corrected for a dropped, doubled or transposed letter.
      if (word.length <= SHORT_WORD && item.length === word.length && sortedLetters(item) !== sortedLetters(word)) continue;
      const d = typoCost(word, item, cap);
      if (d < bestDistance || (d === bestDistance && best !== null && item.length === word.length && best.length !== word.length)) {
        best = item;
        bestDistance = d;
      }
    }
  }
  if (best !== null) return best;
  // The first two letters swapped ("lbonde"): the indexes are keyed by the first letter.
  const swapped = `${word[1] ?? ''}${word[0] ?? ''}${word.slice(2)}`;
  return swapped !== word && TYPO_TARGETS.has(swapped) ? swapped : null;
}

/** "smiiiling", "loooong": the word with each drawn-out letter typed twice, or once, if the vocabulary knows it ("zzz" is not "z"). */
function shortened(word: string): string | null {
  for (const times of ['$1$1', '$1']) {
    const w = word.replace(DRAWN_OUT_ALL, times);
    if (w.length < 2) continue;
    if (LEXICON.has(w)) return w;
    const stemmed = STEMS.get(PorterStemmer.stem(w));
    if (stemmed !== undefined) return stemmed;
  }
  return null;
}

const cache = new Map<string, Canonical>();

function remember(word: string, value: Canonical): Canonical {
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(word, value);
  return value;
}

/** Forgets cached lookups (tests use it to time cold lookups). */
export function clearWordCache(): void {
  cache.clear();
}

/** A budget of uncached typo searches, so one long input cannot run many of them. */
export interface FuzzyBudget {
  left: number;
}

export function canonicalWord(word: string, budget: FuzzyBudget): Canonical {
  if (LEXICON.has(word)) return { word, typo: false };
  const cached = cache.get(word);
  if (cached) return cached;
  if (word.length > 40) return NOT_FOUND;
  if (word.includes("'")) {
    const base = word.endsWith("'s") ? word.slice(0, -2) : word.replace(/'/g, '');
    if (LEXICON.has(base)) return remember(word, { word: base, typo: false });
  }
  if (REAL_WORDS.has(word) || !FUZZY_WORD.test(word)) return remember(word, NOT_FOUND);
  if (FILLER_PATTERNS.some((re) => re.test(word))) return remember(word, { word: FILLER_WORD, typo: false });
  if (DRAWN_OUT.test(word)) {
    // Emphasis, not a typo ("smiiiling"); a longer run of one letter is not how a typo looks ("aaaargh").
    const short = shortened(word);
    if (short !== null) return remember(word, { word: short, typo: false });
    if (RUN_OF_FOUR.test(word)) return remember(word, NOT_FOUND);
  }
  const stemmed = STEMS.get(PorterStemmer.stem(word));
  if (stemmed !== undefined) return remember(word, { word: stemmed, typo: false });
  if (word.length < FUZZY_MIN_LENGTH || word.length > FUZZY_MAX_LENGTH) return remember(word, NOT_FOUND);
  if (!VOWEL.test(word)) {
    // No vowel at all: only a word whose one vowel was dropped ("frwn"), never gibberish ("xkcd", "qwrt").
    const dropped = VOWEL_DROPPED.get(word);
    return remember(word, dropped === undefined || dropped === null || isEnglishWord(word) ? NOT_FOUND : { word: dropped, typo: true });
  }
  if (budget.left <= 0) return NOT_FOUND; // not cached: a later, shorter input may still search it
  budget.left--;
  const typo = typoOf(word);
  // "runner" is not a typo of "rounder", nor "rugged" of "rouged": real English words stay as typed.
  if (typo === null || isEnglishWord(word)) return remember(word, NOT_FOUND);
  return remember(word, { word: typo, typo: true });
}
