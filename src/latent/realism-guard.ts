import type { FaceReading, ReadFaces } from './steer.js';
import { keepInRange } from './edit.js';

/**
 * The realism guard in the closed loop (src/latent/steer.ts): a pass that makes the face clearly less real
 * than it was before the edit is not taken. "Less real" is the realism distance of the rendered face
 * (./realism.ts: Mahalanobis distance² / dim of F's features under a density of real crops; about 1 for a
 * real crop, 0.7 for a typical unedited seed of the shipped G). A pass is clearly less real when its distance is
 * past REALISM_LIMIT (held-out real crops: 95th percentile 1.67) and more than REALISM_MARGIN above the face's
 * before the edit. (A first version also turned down passes past 0.9 and 0.35 above the start: it cost
 * "make him younger" 8 of 200 seeds with the judge, and within a set the density does not tell melted faces
 * from well-formed ones, so only the clear cases are turned down.) Without a realism model (no distance on the
 * readings) the guard does nothing.
 * When the loop's best face is still clearly less real, the edit is scaled back toward the face it started
 * from (REALISM_BACKOFF, one batched read) to the largest part that is not; if none is, the most real of them
 * is taken. The reply then says that the words asked for more than this model can draw on this face.
 */
export const REALISM_MARGIN = 0.35;
export const REALISM_LIMIT = 1.6;
export const REALISM_BACKOFF = [0.75, 0.5, 0.25] as const;

/** Whether `r` is clearly less real than `before` (false when either was not scored). */
export function lessReal(r: FaceReading, before: FaceReading): boolean {
  if (r.realism === undefined || before.realism === undefined) return false;
  return r.realism > REALISM_LIMIT && r.realism > before.realism + REALISM_MARGIN;
}

/** Whether pass `r` (badness `bad`) should replace the best so far: a real face beats one that is not, then the smaller miss. */
export function betterPass(r: FaceReading, bad: number, best: { reading: FaceReading; bad: number }, before: FaceReading): boolean {
  const unreal = lessReal(r, before);
  const bestUnreal = lessReal(best.reading, before);
  return unreal !== bestUnreal ? !unreal : bad < best.bad;
}

/**
 * When `best` is clearly less real than `before`, the largest part of the edit (z → best.z) that is not,
 * else the most real part; undefined when best is fine (no read is made then).
 */
export async function realismBackoff(
  z: Float32Array, best: { z: Float32Array; reading: FaceReading }, before: FaceReading, read: ReadFaces,
): Promise<{ z: Float32Array; reading: FaceReading } | undefined> {
  if (!lessReal(best.reading, before)) return undefined;
  const tries = REALISM_BACKOFF.map((a) => keepInRange(Float32Array.from(z, (v, i) => v + a * (best.z[i]! - v))));
  const readings = await read(tries);
  const kept = readings.findIndex((r) => !lessReal(r, before));
  const pick = kept >= 0 ? kept : readings.reduce((b, r, i) => (r.realism! < readings[b]!.realism! ? i : b), 0);
  return readings[pick]!.realism! < best.reading.realism! ? { z: tries[pick]!, reading: readings[pick]! } : undefined;
}
