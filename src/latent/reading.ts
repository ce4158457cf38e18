import { attributeIndex, isCelebaAttribute, type AttributeName } from '../face/attributes.js';

/* What the steering loop reads on a rendered face, and how it asks for readings (./steer.ts, ./goal-checks.ts). */

/**
 * What F reads on one rendered face: 40 logits in CelebA order, the age head's years if present, and the
 * logits of the added attributes' probes on F's features (by name) when the models have any.
 */
export interface FaceReading {
  logits: Float32Array;
  age?: number;
  added?: Partial<Record<AttributeName, number>>;
  /** The realism guard's distance from real faces (src/latent/realism.ts; about 1 for a real crop), when the models have it. */
  realism?: number;
  /** The identity network's embedding of the face (src/render/identity.ts), when the scorer has it: the identity hold's measure. */
  identity?: Float32Array;
}

/** An attribute's logit on a reading: F's own for the 40, the probe's for an added one (undefined if not read). */
export function readingLogit(r: FaceReading, name: AttributeName): number | undefined {
  return isCelebaAttribute(name) ? r.logits[attributeIndex(name)] : r.added?.[name];
}

/**
 * What a read needs besides F's reading. `identity`: whether each face's identity embedding is wanted (the
 * identity hold's measure, about 11 ms a read): `true` or `false` for all the latents, or one flag per latent;
 * left out, the reader's default (the scorer reads it whenever it has the network).
 */
export interface ReadOptions {
  identity?: boolean | readonly boolean[];
}

/** Renders and reads latents (one G pass and one F pass for the batch). */
export type ReadFaces = (latents: Float32Array[], options?: ReadOptions) => Promise<FaceReading[]>;
