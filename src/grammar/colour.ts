/**
 * Reads a colour word by the noun it describes: "black hair" (hair colour), "a black woman" (skin),
 * "black hat" (just the hat's colour), "blue eyes" (not something we can draw), "grey" alone (hair).
 */
import type { Weights } from '../face/record.js';
import type { Colour, HeadSense } from './vocabulary.js';
import type { Input } from './match.js';
import { sizeNounAhead } from './lookahead.js';

export type ColourSense = 'hair' | 'skin' | 'other' | 'describes';

export interface ColourReading {
  /** The colour words, in order ("dark brown"). */
  run: Array<{ at: number; colour: Colour }>;
  /** Token index after the colour words. */
  end: number;
  sense: ColourSense;
  /** Token index after the noun, where one was found. */
  nounEnd: number;
  /** The noun is itself a feature the parser will read next ("beard", "woman"). */
  nounIsFeature: boolean;
  /** Where a "not understood" span starts (earlier when the noun came first: "eyes blue"). */
  unknownFrom: number;
  /** Weights per colour word; null where this reading has no attribute. */
  weights: Array<Weights | null>;
}

const NOUN_SEARCH = 4;

export function readColour(input: Input, i: number, firstEnd: number, colour: Colour, headBefore: { sense: HeadSense; at: number } | null): ColourReading {
  const run: ColourReading['run'] = [{ at: i, colour }];
  let j = firstEnd;
  for (;;) {
    const m = input.at(j);
    if (m?.meanings.colour && !sizeNounAhead(input, j)) {
      run.push({ at: j, colour: m.meanings.colour });
      j = m.end;
      continue;
    }
    const conj = m?.meanings.conj;
    if (m && (conj === 'and' || conj === 'or') && input.at(m.end)?.meanings.colour) {
      j = m.end; // "salt and pepper", "black and grey"
      continue;
    }
    break;
  }

  let sense: ColourSense | 'alone' = 'alone';
  let nounEnd = j;
  let nounIsFeature = false;
  let firstUnknown = -1;
  for (let p = j, hops = 0; p < input.length && hops < NOUN_SEARCH && !input.isBreak(p); hops++) {
    const m = input.at(p);
    const mm = m?.meanings;
    if (!m || !mm) {
      if (firstUnknown < 0) firstUnknown = p;
      p++;
      continue;
    }
    if (mm.head) {
      sense = mm.head;
      nounEnd = m.end;
      break;
    }
    if (mm.person || mm.term?.person) {
      sense = 'skin';
      nounIsFeature = mm.term !== undefined;
      break;
    }
    if (mm.term?.hairWord) {
      sense = 'hair';
      nounIsFeature = true;
      break;
    }
    if (mm.term?.sizeNoun) {
      sense = 'describes';
      break;
    }
    if (mm.pronoun !== undefined || mm.conj !== undefined || mm.negator !== undefined) break;
    p = m.end; // an adjective in between: "brown curly hair"
  }
  let unknownFrom = i;
  if (sense === 'alone' && firstUnknown >= 0) {
    sense = 'other'; // "blue shirt"
    nounEnd = firstUnknown + 1;
  } else if (sense === 'alone' && headBefore) {
    sense = headBefore.sense; // "eyes blue", "hair grey"
    unknownFrom = headBefore.at;
  } else if (sense === 'alone') {
    sense = 'hair'; // "grey, smiling"
  }
  const final = sense;
  const weights = run.map((r, k): Weights | null => {
    if (k < run.length - 1 && r.colour.shade) return r.colour.shade; // "dark" in "dark brown"
    if (final === 'skin') return r.colour.skin ?? r.colour.hair;
    if (final === 'other' || final === 'describes') return null;
    return r.colour.hair;
  });
  return { run, end: j, sense: final, nounEnd, nounIsFeature, unknownFrom, weights };
}
