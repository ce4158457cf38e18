import type { AttributeName } from '../face/attributes.js';
import type { AxisSet } from './axes.js';
import { keepInRange } from './edit.js';
import { gramSchmidt, projectOff } from './vector.js';

/**
 * Faces made from other faces (FaceRecord.origin): a mix of two faces and an analogy ("this face, but the
 * way that one differs from that one"). Latent arithmetic on the latents the faces were drawn with (edits
 * and closed-loop corrections included), then the usual guards: the move is projected off the axes the
 * base face locks ("keep the gender" still holds after a mix), and |z| stays in the shell where G draws
 * faces (keepInRange). Male and Young are not held implicitly here, as they are for word edits: a mix of a
 * man and a woman is meant to land between them.
 */

/** Mix weights are the other face's share, strictly between 0 and 1 ("70% of that one" = 0.7). */
export const MIX_WEIGHT_MIN = 0.05;
export const MIX_WEIGHT_MAX = 0.95;
export const DEFAULT_MIX_WEIGHT = 0.5;
/** An analogy's strength scales the difference added (1 = the whole difference). */
export const ANALOGY_STRENGTH_MAX = 2;

export function isValidMixWeight(w: number): boolean {
  return Number.isFinite(w) && w >= MIX_WEIGHT_MIN && w <= MIX_WEIGHT_MAX;
}

export function isValidAnalogyStrength(s: number): boolean {
  return Number.isFinite(s) && s > 0 && s <= ANALOGY_STRENGTH_MAX;
}

/** Float32 latent → base64 of its little-endian bytes (exact: the same floats come back). */
export function encodeLatent(z: Float32Array): string {
  const bytes = Buffer.alloc(z.length * 4);
  for (let i = 0; i < z.length; i++) bytes.writeFloatLE(z[i]!, i * 4);
  return bytes.toString('base64');
}

/** The inverse of encodeLatent; throws when the text does not hold zDim finite floats. */
export function decodeLatent(text: string, zDim: number): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== zDim * 4) throw new Error(`a stored latent has ${bytes.length / 4} numbers, the generator takes ${zDim}`);
  const z = new Float32Array(zDim);
  for (let i = 0; i < zDim; i++) {
    z[i] = bytes.readFloatLE(i * 4);
    if (!Number.isFinite(z[i]!)) throw new Error('a stored latent holds a number that is not finite');
  }
  return z;
}

/** z moved to `target`, the move projected off the locked axes, kept in the shell. */
function guardedMove(z: Float32Array, target: ArrayLike<number>, axes: AxisSet, locks: Iterable<AttributeName>): Float32Array {
  const held = [...new Set(locks)].flatMap((name) => {
    const axis = axes.get(name);
    return axis ? [axis.vector] : [];
  });
  const delta = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) delta[i] = target[i]! - z[i]!;
  const move = held.length > 0 ? projectOff(delta, gramSchmidt(held)) : delta;
  return keepInRange(z.map((x, i) => x + move[i]!));
}

/**
 * (1 − w)·a + w·b on a straight line, with |z| interpolated between |a| and |b| (a mix of two faces stays on
 * the shell where G draws faces, where a plain average would fall inside it and look washed out).
 */
export function interpolateLatent(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  const z = new Float32Array(a.length);
  let na = 0;
  let nb = 0;
  let nz = 0;
  for (let i = 0; i < a.length; i++) {
    z[i] = (1 - t) * a[i]! + t * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
    nz += z[i]! * z[i]!;
  }
  const want = (1 - t) * Math.sqrt(na) + t * Math.sqrt(nb);
  const k = nz > 0 ? want / Math.sqrt(nz) : 1;
  for (let i = 0; i < z.length; i++) z[i] = z[i]! * k;
  return z;
}

/** A mix: w of `other` into `base` (interpolateLatent), the base's locks held. */
export function mixLatents(base: Float32Array, other: Float32Array, w: number, axes: AxisSet, locks: Iterable<AttributeName> = []): Float32Array {
  return guardedMove(base, interpolateLatent(base, other, w), axes, locks);
}

/** An analogy: base + s·(to − from), the base's locks held. */
export function analogyLatent(
  base: Float32Array, from: Float32Array, to: Float32Array, s: number, axes: AxisSet, locks: Iterable<AttributeName> = [],
): Float32Array {
  return guardedMove(base, base.map((x, i) => x + s * (to[i]! - from[i]!)), axes, locks);
}
