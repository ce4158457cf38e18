/**
 * What a mix request says in words, for the front ends: whether it asks for a mix at all ("mix my face with
 * this one", "blend us") and how much of the other face ("70% of that one", "30% mine", "half and half",
 * "mostly that one", "a bit of this one"). The other face is the one the message points at (the face it
 * replies to, or an id); "mine", "my face", "me" name the user's own. A number said with no side is the
 * other face's share. Weights out of range are returned as said: the engine answers them.
 */

// the verb, not part of a hyphenated word ("mix-and-match"); past forms are left out, since "mixed race" or
// "blended eyeshadow" describe a face rather than ask for a mix
const VERB = '(?:mix|mixing|blend|blending|merge|merging|combine|combining|fuse)';
// …with a face as its object ("mix my face with this one", "blend us", "mix, 70% of that"), or on its own ("mix!"):
// "a blend of blonde and brown hair" or "combine glasses and a beard" are edits, not mixes
const OBJECT = '(?:with|this|that|these|those|us|me|my|mine|our|ours|them|him|her|it|both|one|faces?|half|\\d+\\s*%)';
const MIX_VERB = new RegExp(`^\\W*${VERB}\\W*$|\\b${VERB}\\b(?!-)(?=.*\\b${OBJECT}(?:\\b|$))`, 'i');
const MINE = /^\s*(?:of\s+)?(?:mine|my\s+(?:own\s+)?(?:face|one)|my\s+own|me|the\s+first(?:\s+one)?|the\s+original)\b/i;
const PERCENT = /(-?\d+(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)/gi;

export interface MixWords {
  /** The words ask for a mix. */
  isMix: boolean;
  /** The other face's share (0.7 for "70% of that one", 0.3 for "70% mine"), when the words say it. */
  weight?: number;
}

/** The share of the words' side: `p` of the other face, or of the user's own when the words after it say mine. */
function sided(p: number, after: string): number {
  return MINE.test(after) ? 1 - p : p;
}

export function parseMixWords(text: string): MixWords {
  const isMix = MIX_VERB.test(text);
  const percents = [...text.matchAll(PERCENT)];
  if (percents.length > 0) {
    const m = percents[0]!;
    return { isMix, weight: sided(Number(m[1]) / 100, text.slice(m.index! + m[0].length)) };
  }
  if (/\bhalf\b|\b50\s*\/\s*50\b|\bevenly\b|\bequal(?:ly)?\b/i.test(text)) return { isMix, weight: 0.5 };
  const mostly = /\b(mostly|mainly|largely)\s+(.*)$/i.exec(text);
  if (mostly) return { isMix, weight: sided(0.75, mostly[2]!) };
  const bit = /\b(?:a\s+(?:little|bit|touch|hint)|a\s+little\s+bit|slightly)\s+(?:of\s+)?(.*)$/i.exec(text);
  if (bit) return { isMix, weight: sided(0.25, bit[1]!) };
  return { isMix };
}
