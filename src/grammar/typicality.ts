/**
 * "a more typical face", "an unusual face": how far from the average face to draw, as the truncation psi
 * (src/latent/truncation.ts). Read before the main grammar, which then never sees these words.
 */
import { DATA } from './data.js';

export interface Typicality {
  /** The truncation psi the words ask for. */
  psi: number;
  /** The phrase as typed. */
  said: string;
  /** The text with the phrase replaced by a clause break, for the attribute grammar. */
  rest: string;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[\s-]+/g, '[\\s-]+');
}

const PHRASES = Object.entries(DATA.typicality.phrases).sort((a, b) => b[0].length - a[0].length);
const PATTERN = new RegExp(
  `(?<![\\p{L}\\p{N}'])(?:an?\\s+)?(${PHRASES.map(([p]) => escape(p)).join('|')})(?:[\\s-]+(?:face|faces|one|looking|person))?(?![\\p{L}\\p{N}'])`,
  'giu',
);
const PSI = new Map(PHRASES.map(([p, psi]) => [p.toLowerCase().replace(/[\s-]+/g, ' '), psi]));

/** The last typicality phrase in `text`, or undefined. */
export function readTypicality(text: string): Typicality | undefined {
  let found: { psi: number; said: string } | undefined;
  const rest = text.replace(PATTERN, (match, phrase: string) => {
    const psi = PSI.get(phrase.toLowerCase().replace(/[\s-]+/g, ' '));
    if (psi !== undefined) found = { psi, said: match.trim().replace(/^an?\s+/iu, '') };
    return ', ';
  });
  return found ? { ...found, rest } : undefined;
}
