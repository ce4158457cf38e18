/**
 * Splits text into word, number, emoji and punctuation tokens, keeping where each came from
 * so that words we do not understand can be reported exactly as typed.
 */
export type TokenKind = 'word' | 'num' | 'emoji' | 'punct';

export interface Token {
  /** Normalised form: lower case, curly quotes straightened, accents removed. */
  text: string;
  /** Position in the original text (UTF-16 offsets). */
  start: number;
  end: number;
  kind: TokenKind;
}

/** Punctuation that ends a clause: negation and degree words do not reach past it. */
export const CLAUSE_BREAKS: ReadonlySet<string> = new Set([',', '.', ';', '!', '?', '(', ')', '[', ']', '{', '}', '…', '\n', '—', '–']);

const TOKEN_RE = new RegExp(
  [
    String.raw`[wW]\/[oO](?![\p{L}\p{N}])`, // w/o = without
    String.raw`[yY]\/[oO](?![\p{L}\p{N}])`, // y/o = years old
    String.raw`[wW]\/(?=[\s\p{L}]|$)`, // w/ = with
    String.raw`[:;]-?[()dDpPoO3](?![\p{L}\p{N}])`, // emoticons
    String.raw`[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}\p{M}\p{N}]+)*`,
    String.raw`\p{Extended_Pictographic}`,
    String.raw`[,.;!?()[\]{}…\n|/&+—–]`,
  ].join('|'),
  'gu',
);

const SPECIAL: Readonly<Record<string, string>> = { 'w/o': 'without', 'y/o': 'yo', 'w/': 'with' };
const NON_ASCII = /[\u0080-\uffff]/;
const MARKS = /\p{M}+/gu;
const DIGIT_START = /^\p{N}/u;
const PICTO = /^\p{Extended_Pictographic}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

export function normalizeWord(raw: string): string {
  let s = raw.toLowerCase();
  if (NON_ASCII.test(s)) {
    s = s.replace(/’/g, "'");
    const stripped = s.normalize('NFKD').replace(MARKS, '');
    if (stripped.length > 0) s = stripped.normalize('NFKC');
  }
  return SPECIAL[s] ?? s;
}

export interface Tokenized {
  tokens: Token[];
  /** True when the token limit cut the text short. */
  truncated: boolean;
}

export function tokenize(text: string, maxTokens: number): Tokenized {
  const tokens: Token[] = [];
  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN_RE.exec(text)) !== null) {
    if (tokens.length >= maxTokens) return { tokens, truncated: true };
    const raw = m[0];
    const start = m.index;
    const end = start + raw.length;
    let kind: TokenKind;
    if (PICTO.test(raw)) kind = 'emoji';
    else if (LETTER_OR_DIGIT.test(raw[0] ?? '')) kind = DIGIT_START.test(raw) ? 'num' : 'word';
    else kind = raw.length === 1 ? 'punct' : 'emoji'; // one punctuation mark, or an emoticon such as :)
    if (kind === 'punct' || kind === 'emoji') tokens.push({ text: raw.toLowerCase(), start, end, kind });
    else tokens.push({ text: normalizeWord(raw), start, end, kind });
  }
  return { tokens, truncated: false };
}
