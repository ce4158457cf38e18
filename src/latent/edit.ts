import type { AttributeName } from './attributes.js';
import type { Axis, AxisSet } from './axes.js';
import type { Edit, FaceRecord } from './face.js';
import { seedToLatent } from './seed.js';
import { truncate } from './truncation.js';
import { addScaled, dot, gramSchmidt, norm, projectOff } from './vector.js';

/**
 * Edit maths (TL-GAN with calibrated levels).
 *
 * Every weight w on attribute a asks for a coordinate c* along a's unit axis u:
 *   target: c* = center + w·scale   (the calibrated level: +1 clearly present, -1 clearly absent), as a
 *           floor for w > 0 and a ceiling for w < 0 (a face already past the level is left alone)
 *   step:   c* = c + w·scale        (relative to where the face is now)
 * The move is made along u projected off the held axes (Gram-Schmidt over: the face's locks, the
 * implicit locks Male and Young unless this edit names them, and the axes already set earlier in the
 * same edit), renormalised, so "more beard" does not also change gender or age.
 *
 * Staying where the GAN has seen data: weights are clamped to ±MAX_WEIGHT, c* to coordMean ± COORD_LIMIT·coordStd
 * (one coordinate at 5σ with the other d−1 typical still leaves |z| inside the shell below), a single move
 * to MAX_MOVE, and finally |z| to at most √d + 3·(1/√2) (the chi distribution of |z| has a spread of
 * about 0.71, so this is 3σ above the typical norm).
 */

export const MAX_WEIGHT = 2;
export const COORD_LIMIT = 5;
export const MAX_MOVE = 5;
export const IMPLICIT_LOCKS: readonly AttributeName[] = ['Male', 'Young'];
/** Identity axes are applied first so that the rest are projected off them. */
const FIRST: readonly AttributeName[] = ['Male', 'Young'];

export interface EditOptions {
  /** Axes held fixed unless named by the edit (default Male and Young). */
  implicitLocks?: readonly AttributeName[];
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function orderedAttributes(edit: Edit): AttributeName[] {
  const names = Object.keys(edit.weights) as AttributeName[];
  return [...FIRST.filter((n) => names.includes(n)), ...names.filter((n) => !FIRST.includes(n))];
}

/** Applies one edit to z (returns a new vector). `locks` are the face's persistent locks. */
export function applyEdit(
  z: Float32Array,
  edit: Edit,
  axes: AxisSet,
  locks: ReadonlySet<AttributeName>,
  options: EditOptions = {},
): Float32Array {
  const out = Float64Array.from(z);
  const edited = orderedAttributes(edit).filter((n) => Number.isFinite(edit.weights[n]));
  const held = new Set<AttributeName>([...(options.implicitLocks ?? IMPLICIT_LOCKS), ...locks, ...edit.locks]);
  for (const n of edited) held.delete(n);
  const heldVectors = [...held].flatMap((n) => {
    const a = axes.get(n);
    return a ? [a.vector] : [];
  });
  let basis = gramSchmidt(heldVectors);

  for (const name of edited) {
    const axis = axes.get(name);
    if (!axis) continue;
    const w = clamp(edit.weights[name]!, -MAX_WEIGHT, MAX_WEIGHT);
    const current = dot(out, axis.vector);
    const wanted = edit.mode[name] === 'step' ? current + w * axis.scale : targetCoordinate(axis, w, current);
    const lo = axis.coordMean - COORD_LIMIT * axis.coordStd;
    const hi = axis.coordMean + COORD_LIMIT * axis.coordStd;
    const delta = clamp(wanted, Math.min(lo, current), Math.max(hi, current)) - current;
    const residual = projectOff(axis.vector, basis);
    const r = norm(residual);
    if (r > 1e-3) {
      // moving t along residual/r changes the coordinate by t·r
      const t = clamp(delta / r, -MAX_MOVE, MAX_MOVE);
      addScaled(out, residual, t / r);
    }
    basis = gramSchmidt([...basis, axis.vector]);
  }
  return Float32Array.from(out);
}

/**
 * A target is a floor (w > 0) or a ceiling (w < 0): "a woman" on a face that is already more clearly
 * female than the calibrated level stays as it is, and "no hat" never adds hat-ness to a face without one.
 */
export function targetCoordinate(axis: Pick<Axis, 'center' | 'scale'>, w: number, current: number): number {
  const level = axis.center + w * axis.scale;
  if (w > 0) return Math.max(level, current);
  if (w < 0) return Math.min(level, current);
  return level;
}

/** Pulls z back inside the shell where N(0, I) samples live. */
export function keepInRange(z: Float32Array): Float32Array {
  const maxNorm = Math.sqrt(z.length) + 3 / Math.SQRT2;
  const n = norm(z);
  if (n <= maxNorm) return z;
  return z.map((x) => (x * maxNorm) / n);
}

/**
 * The latent of a face: its seed's z, scaled by the face's truncation psi (1 when absent), with every edit
 * replayed in order; locks persist once said. Truncation comes first, so an edit's target level is the same
 * whatever psi is (up to the final |z| clamp): a "more typical" face pulls only what the words did not set
 * toward the average.
 */
export function faceLatent(
  face: Pick<FaceRecord, 'seed' | 'edits'> & { truncation?: number },
  axes: AxisSet,
  options: EditOptions = {},
): Float32Array {
  let z = truncate(seedToLatent(face.seed, axes.zDim), face.truncation ?? 1);
  const locks = new Set<AttributeName>();
  for (const edit of face.edits) {
    z = applyEdit(z, edit, axes, locks, options);
    for (const l of edit.locks) locks.add(l);
  }
  return keepInRange(z);
}
