import type { AttributeName } from './attributes.js';
import type { AgeRequest, EditMode, Weights } from '../grammar/types.js';

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
}
