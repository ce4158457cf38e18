/**
 * "a more typical face", "an unusual face": how far from the average face to draw, as the truncation psi
 * (src/latent/truncation.ts). Read before the main grammar; the phrase is blanked out (not turned into a
 * clause break, so "no typical beard" keeps its "no" for the beard). A negation just before the phrase
 * turns it round: "not a typical face" is unusual, "nothing unusual" typical.
 */
import { DATA, vocabularySections } from './data.js';

export interface Typicality {
  /** The truncation psi the words ask for. */
  psi: number;
  /** The phrase as typed (without "a"/"an"). */
  said: string;
  /** The text with the phrase blanked out, for the attribute grammar. */
  rest: string;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[\s-]+/g, '[\\s-]+');
}

const normal = (s: string) => s.toLowerCase().replace(/[\s-]+/g, ' ').trim();
const PHRASES = Object.entries(DATA.typicality.phrases).sort((a, b) => b[0].length - a[0].length);
const PSI = new Map(PHRASES.map(([p, psi]) => [normal(p), psi]));
const PATTERN = new RegExp(
  `(?<![\\p{L}\\p{N}'])(?:an?\\s+)?(${PHRASES.map(([p]) => escape(p)).join('|')})(?:[\\s-]+(?:face|faces|one|looking|person))?(?![\\p{L}\\p{N}'])`,
  'giu',
);
/** Phrases the attribute vocabulary owns ("ordinary-looking" is a judgement of looks there, not typicality). */
const VOCABULARY = new Set(vocabularySections().flatMap(([, entries]) => entries.flatMap((e) => e.say.map(normal))));
const NEGATIONS = new Set(Object.keys(DATA.negations.before).map(normal));
/** What a negated phrase means: "not typical" is the full variety, "not unusual" a typical face. */
const FULL_VARIETY = 1;
const TYPICAL = PSI.get('typical') ?? 0.6;

function negatedBefore(text: string, offset: number): boolean {
  const words = normal(text.slice(Math.max(0, offset - 24), offset).replace(/[^\p{L}\s'-]/gu, ' ')).split(' ').filter(Boolean);
  return NEGATIONS.has(words.at(-1) ?? '') || NEGATIONS.has(words.slice(-2).join(' '));
}

/** The last typicality phrase in `text`, or undefined. */
export function readTypicality(text: string): Typicality | undefined {
  let found: { psi: number; said: string } | undefined;
  const rest = text.replace(PATTERN, (match: string, phrase: string, offset: number) => {
    const psi = PSI.get(normal(phrase));
    const said = match.trim().replace(/^an?\s+/iu, '');
    if (psi === undefined || VOCABULARY.has(normal(said))) return match;
    found = negatedBefore(text, offset) ? { psi: psi < 1 ? FULL_VARIETY : TYPICAL, said: `not ${said}` } : { psi, said };
    return ' '.repeat(match.length);
  });
  return found ? { ...found, rest } : undefined;
}
