import type { AttributeName } from '../latent/attributes.js';

/**
 * How a weight is applied to a face:
 * - 'target': set the attribute to a calibrated level (+1 clearly present, -1 clearly absent),
 *   whatever the seed was ("a woman", "with glasses", "no beard").
 * - 'step': move relative to where the face is now ("older", "more smile", "a bit less makeup").
 */
export type EditMode = 'target' | 'step';

export type Weights = Partial<Record<AttributeName, number>>;

/**
 * An age in years, for models with an age head (F's `age` output, trained on UTKFace's real ages):
 * - 'exact': "a 70 year old" (the number the words said);
 * - 'atLeast' / 'atMost': "old" / "young" (a floor or a ceiling: a face already past it stays as it is);
 * - 'step': "10 years older" (+10), "a bit younger" (-6), relative to the face before the edit.
 * It travels with the Young weight the same words set, which is what models without an age head use.
 */
export interface AgeRequest {
  mode: 'exact' | 'atLeast' | 'atMost' | 'step';
  years: number;
}

/** What the grammar understood of one piece of text. */
export interface ParseResult {
  /** Attribute weights, by exact CelebA name; positive = more of the attribute. Typically in [-2, 2]. */
  weights: Weights;
  /** The mode of every attribute present in `weights`. */
  mode: Partial<Record<AttributeName, EditMode>>;
  /** Attributes the user asked to keep as they are ("keep the gender", "same age"). */
  locks: AttributeName[];
  /** Words or phrases that were not understood, as the user typed them (never silently dropped). */
  unknown: string[];
  /** Human-readable remarks, e.g. contradictions: "'young' overrides the earlier 'old'". */
  notes: string[];
  /** The age the words ask for, in years (present whenever they set Young). */
  age?: AgeRequest;
  /** How typical the face should be ("a more typical face", "an unusual face"): the truncation psi. */
  truncation?: number;
  /** The words that set `truncation`, as typed (for the caption). */
  typicality?: string;
}

export function emptyParse(): ParseResult {
  return { weights: {}, mode: {}, locks: [], unknown: [], notes: [] };
}
