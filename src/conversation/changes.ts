import type { AxisSet } from '../latent/axes.js';
import { faceLatent } from '../latent/edit.js';
import type { Drawable } from '../face/record.js';

/**
 * Whether refining `base` into `next` changes nothing the face shows: the same linear latent (the words ask
 * for what the face already has, or push an attribute that is already at its limit), the same psi and no
 * new lock (a lock changes later edits, so it counts). Pure arithmetic: no render.
 */
export function changesNothing(base: Drawable, next: Drawable, axes: AxisSet): boolean {
  if (next.seed !== base.seed || next.truncation !== base.truncation || next.origin?.z !== base.origin?.z) return false;
  const held = new Set(base.edits.flatMap((e) => e.locks));
  if (next.edits.some((e) => e.locks.some((l) => !held.has(l)))) return false;
  const before = faceLatent(base, axes);
  const after = faceLatent(next, axes);
  return before.every((x, i) => Math.abs(x - after[i]!) < 1e-5);
}
