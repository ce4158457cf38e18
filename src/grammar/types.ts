import type { AttributeName } from '../face/attributes.js';
import type { AgeRequest, EditMode, Weights } from '../face/record.js';

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
  /** True when `weights.Male` was set by a he/she word alone ("make him younger"), not by words about the face. */
  genderFromPronoun?: boolean;
}

export function emptyParse(): ParseResult {
  return { weights: {}, mode: {}, locks: [], unknown: [], notes: [] };
}
