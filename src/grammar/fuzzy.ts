/**
 * Maps a typed word to a word the vocabulary knows: exactly, by stem (natural's PorterStemmer:
 * "smiles" -> "smile"), or as a typo (fuse.js: "beerd" -> "beard"). Stemming and typo matching
 * only run for words not found exactly, and their results are cached in a bounded Map.
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

/** stem -> shortest vocabulary word with that stem. */
const STEMS = new Map<string, string>();
/** First letter + length -> fuse index over the vocabulary words of that shape (small indexes search fast). */
const FUSES = new Map<string, Fuse<string>>();

/** Words that only glue a description together ("the", "face", "him"): an unknown word is never read as one by stem ("earings" is not "ear"). */
function isFunctionWord(word: string): boolean {
  const m = lookup([word]);
  if (!m) return false;
  return Object.keys(m).every((k) => k === 'stop' || k === 'head' || k === 'person' || k === 'pronoun' || k === 'conj' || k === 'lockObject');
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
    if (word.length < FUZZY_MIN_LENGTH - 1) continue;
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

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), capped. */
export function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    rows.push(row);
  }
  const first = rows[0] as number[];
  for (let j = 0; j <= b.length; j++) first[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const up = rows[i - 1] as number[];
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (rows[i - 2] as number[])[j - 2] as number + 1);
      row[j] = v;
      if (v < best) best = v;
    }
    if (best > cap) return cap + 1;
  }
  return (rows[a.length] as number[])[b.length] as number;
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
      const d = editDistance(word, item, cap);
      if (d < bestDistance || (d === bestDistance && best !== null && item.length === word.length && best.length !== word.length)) {
        best = item;
        bestDistance = d;
      }
    }
  }
  return best;
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
  const stemmed = STEMS.get(PorterStemmer.stem(word));
  if (stemmed !== undefined) return remember(word, { word: stemmed, typo: false });
  if (word.length < FUZZY_MIN_LENGTH || word.length > FUZZY_MAX_LENGTH) return remember(word, NOT_FOUND);
  if (budget.left <= 0) return NOT_FOUND; // not cached: a later, shorter input may still search it
  budget.left--;
  const typo = typoOf(word);
  // "runner" is not a typo of "rounder", nor "rugged" of "rouged": real English words stay as typed.
  if (typo === null || isEnglishWord(word)) return remember(word, NOT_FOUND);
  return remember(word, { word: typo, typo: true });
}
