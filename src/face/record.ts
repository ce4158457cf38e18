/**
 * The face record that every stage shares: what the grammar makes of words (weights, modes, an age), what
 * the latent stage applies, what the store keeps and the engine passes around. It depends on nothing but
 * the attribute names (./attributes.ts), so grammar/ and latent/ both import it and neither imports the other.
 */
import type { AttributeName } from './attributes.js';

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


/** One applied request: what the grammar understood of one message, replayed in order on the seed. */
export interface Edit {
  /** The text the user typed (for captions and history). */
  text: string;
  weights: Weights;
  mode: Partial<Record<AttributeName, EditMode>>;
  locks: AttributeName[];
  /** The age asked for in years (drives the age axis when the models have one; else Young does). */
  age?: AgeRequest;
}

/**
 * A face is a seed plus the edits applied to it. Records are immutable: every render makes a new record
 * whose parentId is the face it came from, so any old face can be refined and undo walks back.
 */
export interface FaceRecord {
  id: string;
  ownerId: string;
  /** uint32; the same seed gives the same latent on every machine (src/latent/seed.ts). */
  seed: number;
  edits: Edit[];
  parentId: string | null;
  createdAt: number;
  /**
   * Which models drew it: "<generator>/<axes>", the first 12 hex digits of the SHA-256 of generator.onnx
   * (models/generator_info.json `fingerprint`) and of axes.json. A face is a seed plus edits, so new models
   * redraw it differently; the engine says so when it re-renders a face drawn by other models.
   * null: stored before models were recorded.
   */
  model: string | null;
  /** Truncation psi: the seed's latent is scaled by psi before the edits (1 = none; lower = more typical). */
  truncation: number;
  /**
   * Small random steps from the seed's latent, in order ("vary": a neighbour of a face that keeps its edits;
   * src/latent/jitter.ts). Absent on most faces (and on every face stored before it existed).
   */
  jitter?: Jitter[];
}

/** One small step from a seed's latent: the noise of another seed, at this scale (src/latent/jitter.ts). */
export interface Jitter {
  seed: number;
  scale: number;
}
