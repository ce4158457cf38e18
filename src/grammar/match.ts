/**
 * The parser's view of one input: tokens, their vocabulary words, and longest-phrase lookups
 * (memoised per position, since the parser looks ahead and behind).
 */
import type { Meanings } from './vocabulary.js';
import type { Token } from './tokenize.js';
import { CLAUSE_BREAKS } from './tokenize.js';
import { ROOT, LEXICON } from './vocabulary.js';
import { canonicalWord, type FuzzyBudget } from './fuzzy.js';

/** The longest phrase in the vocabulary starting at a token. */
export interface Match {
  meanings: Meanings;
  /** Token index just past the phrase. */
  end: number;
}

const MAX_PHRASE_TOKENS = 8;
/** Control and bidi-override characters never go back to the user. */
const CONTROL = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;
const MISS = null;

export class Input {
  readonly words: Array<string | null>;
  /** Token indexes read as typos, with the word they were read as. */
  readonly typos: Array<[number, string]> = [];
  private readonly memo: Array<Match | null | undefined>;

  constructor(
    readonly text: string,
    readonly tokens: readonly Token[],
    budget: FuzzyBudget,
  ) {
    this.words = tokens.map((t, i) => {
      if (t.kind === 'word') {
        const c = canonicalWord(t.text, budget);
        if (c.typo && c.word !== null) this.typos.push([i, c.word]);
        return c.word;
      }
      return LEXICON.has(t.text) ? t.text : null;
    });
    this.memo = new Array<Match | null | undefined>(tokens.length);
  }

  get length(): number {
    return this.tokens.length;
  }

  isBreak(i: number): boolean {
    const t = this.tokens[i];
    return t !== undefined && t.kind === 'punct' && CLAUSE_BREAKS.has(t.text);
  }

  /** End of input or a clause break at i. */
  atClauseEnd(i: number): boolean {
    return i >= this.tokens.length || this.isBreak(i);
  }

  at(i: number): Match | null {
    if (i < 0 || i >= this.tokens.length) return MISS;
    const cached = this.memo[i];
    if (cached !== undefined) return cached;
    let node = ROOT;
    let best: Match | null = MISS;
    const limit = Math.min(this.tokens.length, i + MAX_PHRASE_TOKENS);
    for (let j = i; j < limit; j++) {
      const w = this.words[j];
      if (w === null || w === undefined) break;
      const child = node.next?.get(w);
      if (!child) break;
      node = child;
      if (node.meanings) best = { meanings: node.meanings, end: j + 1 };
    }
    this.memo[i] = best;
    return best;
  }

  /** The text as typed for tokens [from, to), whitespace collapsed. */
  typed(from: number, to: number): string {
    const a = this.tokens[from];
    const b = this.tokens[Math.max(from, to - 1)];
    if (!a || !b) return '';
    return this.text.slice(a.start, b.end).replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  }
}
