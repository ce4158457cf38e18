import { keepInRange } from '../latent/edit.js';
import type { RefineRecipe } from '../render/encoder.js';

/**
 * Gradient-free refinement of an inversion, as models/encoder.json's recipe says (measured by the encoder's
 * trainer, training/eval_encoder.py, whose `refine` this follows): each round draws K candidates around the best
 * latent so far (sigma x decay^round x Gaussian noise) and, with `residual`, the encoder's own correction
 * best + E(x) - E(G(best)); all are kept in the shell where G draws faces (keepInRange), rendered in one G batch
 * and scored by the caller's loss (src/photo/inverter.ts: pixels, F's features, identity); the best replaces the
 * current latent only when it scores lower. Deterministic: the noise comes from a fixed seed.
 */
/** Distances of rendered candidates to the photo: one number per latent (lower is closer). */
export type CandidateLoss = (latents: Float32Array[]) => Promise<number[]>;

export interface RefineResult {
  z: Float32Array;
  /** The loss of E(x) and of the result. */
  before: number;
  after: number;
  rounds: number;
}

/** mulberry32 then Box-Muller: the same noise on every machine. */
export function gaussianNoise(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

export async function refineLatent(
  z0: Float32Array,
  recipe: Pick<RefineRecipe, 'rounds' | 'candidates' | 'sigma'> & Partial<Pick<RefineRecipe, 'decay'>>,
  loss: CandidateLoss,
  /** The encoder's correction for a latent (E(x) - E(G(z)) added to z), when the recipe asks for it. */
  residual?: (z: Float32Array) => Promise<Float32Array>,
): Promise<RefineResult> {
  const noise = gaussianNoise(0x5eed);
  let best = keepInRange(z0);
  let bestLoss = (await loss([best]))[0]!;
  const before = bestLoss;
  for (let r = 0; r < recipe.rounds; r++) {
    const s = recipe.sigma * (recipe.decay ?? 1) ** r;
    const from = best;
    const candidates = Array.from({ length: recipe.candidates }, () => keepInRange(from.map((x) => x + s * noise())));
    if (residual) candidates.push(keepInRange(await residual(from)));
    const losses = await loss(candidates);
    losses.forEach((l, i) => {
      if (l < bestLoss) {
        bestLoss = l;
        best = candidates[i]!;
      }
    });
  }
  return { z: best, before, after: bestLoss, rounds: recipe.rounds };
}

/** Mean squared difference between each of `count` rows of `batch` (row length target.length) and `target`. */
export function rowMse(batch: Float32Array, count: number, target: Float32Array): number[] {
  const n = target.length;
  return Array.from({ length: count }, (_, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const d = batch[i * n + j]! - target[j]!;
      s += d * d;
    }
    return s / n;
  });
}

/** Mean absolute difference between each of `count` rows of `batch` and `target`. */
export function rowL1(batch: Float32Array, count: number, target: Float32Array): number[] {
  const n = target.length;
  return Array.from({ length: count }, (_, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(batch[i * n + j]! - target[j]!);
    return s / n;
  });
}

/** |row - target|^2 / |target|^2 for each of `count` rows: a distance that does not depend on the features' scale. */
export function rowRelative(batch: Float32Array, count: number, target: Float32Array): number[] {
  let t = 0;
  for (const v of target) t += v * v;
  return rowMse(batch, count, target).map((m) => (m * target.length) / Math.max(t, 1e-12));
}
