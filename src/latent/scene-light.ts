import type { Edit } from '../face/record.js';
import { ridgeFit } from './ridge.js';
import { gramSchmidt } from './vector.js';

/**
 * The scene's light, held while a skin tone is asked for.
 *
 * In G's latent space the directions that darken skin also darken the whole picture: along the Dark_Skin axis the
 * frame's border (background and hair) lost 45 units of luma (of 255) for 60° of cheek ITA, and "a dark-skinned
 * woman" or "a black man" came out as a face in a dim, black scene more than a face with dark skin
 * (docs/skin-tone.md, "The scene's light"). The border's mean luma is nearly linear in z, so its direction is
 * fitted once per G (ridge regression over rendered seeds, by `npm run axes`, or `npm run axes --
 * --scene-light-only` for an existing axes file; stored in axes.json). Two uses:
 * - the loop and the open-loop move take the goals of MOVES_OFF_LIGHT off it, as goals move off held axes (TL-GAN's
 *   step 4): the skin darkens by as much, and the scene keeps its light (200 seeds, open loop: border luma −45.5 →
 *   +4.7 at the same −60° ITA). Nothing reads the scene's light in the loop: it is held by projection only;
 * - the seed search keeps a new face's start in about the light of the words without their skin tone, for words
 *   asking one of KEEPS_LIGHT_FOR (./seed-search.ts, lightGoals): its screens rank by the skin probes, which read
 *   a dim scene as dark skin.
 */
export const KEEPS_LIGHT_FOR: ReadonlySet<string> = new Set(['Dark_Skin', 'Black', 'White', 'Pale_Skin']);
/**
 * The goals the loop moves off the scene's light: the skin-tone axes, not Black's own goal ("a black man" asks for
 * Dark_Skin too, and that goal is moved off it). Black's moved off it as well made F's age head read more of "a
 * black man" over 8 years from "a man" on the same seed (eval:skin held 92.5% → 88% of seeds 1-200) for a scene
 * about as light.
 */
export const MOVES_OFF_LIGHT: ReadonlySet<string> = new Set(['Dark_Skin', 'White', 'Pale_Skin']);

/** The scene-light direction of one G: a unit vector in z, and how well the border's luma is linear in z. */
export interface SceneLight {
  vector: Float32Array;
  /** Held-out R² of the linear fit of the border's mean luma on z. */
  r2: number;
  /** Luma (0–255) per unit of coordinate along `vector`. */
  slope: number;
}

/**
 * The least weight of a skin tone that holds the scene's light: "south asian" (Dark_Skin 0.3) and "tan skin" (0.4)
 * barely darken the scene, and holding it for them made the judge read more of "a south asian man" as a woman
 * (10% → 24% of seeds 1-50).
 */
export const SCENE_LIGHT_MIN_WEIGHT = 0.5;

const strong = (w: number | undefined) => w !== undefined && Number.isFinite(w) && Math.abs(w) >= SCENE_LIGHT_MIN_WEIGHT;

/** Whether the loop moves goal `name` at weight `w` off the scene's light: one of MOVES_OFF_LIGHT, |w| at least SCENE_LIGHT_MIN_WEIGHT. */
export function movesOffLight(name: string, w: number | undefined): boolean {
  return MOVES_OFF_LIGHT.has(name) && strong(w);
}

/**
 * Whether an edit's words keep the scene's light in the seed search: one of KEEPS_LIGHT_FOR as a target (a step,
 * "darker skin", is relative to the face and ranks nothing) at |w| ≥ SCENE_LIGHT_MIN_WEIGHT.
 */
export function keepsSceneLight(edit: Edit): boolean {
  return Object.entries(edit.weights).some(([n, w]) => KEEPS_LIGHT_FOR.has(n) && edit.mode[n as keyof Edit['mode']] !== 'step' && strong(w));
}

/** The orthonormal `basis` a move is projected off, with the scene's light added when `off` (and there is one). */
export function offSceneLight(basis: Float64Array[], light: SceneLight | undefined, off: boolean): Float64Array[] {
  return light && off ? gramSchmidt([...basis, light.vector]) : basis;
}

/** Rows from the top and columns from each side that count as the border of a 64 px frame (scaled for others). */
const TOP = 8 / 64;
const SIDE = 6 / 64;

/** Mean luma (Rec. 601, 0–255) of the frame's border, the top rows and both sides: background and hair, not the face. */
export function borderLuma(rgb: Uint8Array, size: number): number {
  const top = Math.max(1, Math.round(TOP * size));
  const side = Math.max(1, Math.round(SIDE * size));
  let sum = 0;
  let n = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (y >= top && x >= side && x < size - side) continue;
      const i = 3 * (y * size + x);
      sum += 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
      n++;
    }
  }
  return sum / n;
}

/**
 * The scene-light direction from latents and their border lumas: a ridge fit on the first 80%, R² on the rest.
 * Throws with fewer than 50 latents.
 */
export function fitSceneLight(latents: readonly Float32Array[], lumas: readonly number[], lambda = 1): SceneLight {
  const n = latents.length;
  if (n < 50 || lumas.length !== n) throw new Error(`the scene's light needs at least 50 rendered latents with their lumas (got ${n}, ${lumas.length})`);
  const d = latents[0]!.length;
  const nFit = Math.floor(0.8 * n);
  const x = new Float64Array(nFit * d);
  for (let i = 0; i < nFit; i++) x.set(latents[i]!, i * d);
  const fit = ridgeFit(x, lumas.slice(0, nFit), nFit, d, 1, lambda);
  const w = fit.weights[0]!;
  const b = fit.intercepts[0]!;
  const slope = Math.sqrt(w.reduce((s, v) => s + v * v, 0));
  let ss = 0;
  let st = 0;
  const held = lumas.slice(nFit);
  const mean = held.reduce((s, v) => s + v, 0) / held.length;
  for (let i = nFit; i < n; i++) {
    let p = b;
    for (let j = 0; j < d; j++) p += w[j]! * latents[i]![j]!;
    ss += (lumas[i]! - p) ** 2;
    st += (lumas[i]! - mean) ** 2;
  }
  return { vector: Float32Array.from(w, (v) => v / slope), r2: st > 0 ? 1 - ss / st : 0, slope };
}
