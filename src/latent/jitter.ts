import type { Edit, FaceRecord, Jitter } from '../face/record.js';
import { candidateLatent, searchStart } from './candidates.js';
import { decodeLatent } from './origin.js';
import { seedToLatent } from './seed.js';

/**
 * A face's starting latent before ψ and the edits: the seed's z (or the candidate the seed search chose, when
 * its first edit records one: src/latent/candidates.ts; or, for a mix or an analogy, the latent
 * its origin keeps: src/latent/origin.ts), moved by each of its jitter steps (vary:
 * "a neighbour of this face"). A step mixes in another seed's noise n as (z + s·n) / √(1 + s²), so the result
 * is still an N(0, I) sample (a plausible face), correlated with z by 1/√(1 + s²): small s, the same person
 * nearly, and every edit replays on it as on the seed. Deterministic: the same steps give the same latent.
 */
export function seedLatent(
  face: Pick<FaceRecord, 'seed' | 'origin'> & { jitter?: readonly Jitter[]; edits?: readonly Pick<Edit, 'start'>[] }, zDim: number,
): Float32Array {
  const start = face.origin ? undefined : searchStart(face.edits);
  let z = face.origin ? decodeLatent(face.origin.z, zDim) : start ? candidateLatent(face.seed, start.set, start.pick, zDim) : seedToLatent(face.seed, zDim);
  for (const step of face.jitter ?? []) {
    const noise = seedToLatent(step.seed, zDim);
    const k = 1 / Math.sqrt(1 + step.scale * step.scale);
    z = z.map((x, i) => (x + step.scale * noise[i]!) * k);
  }
  return z;
}
