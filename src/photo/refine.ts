import type { RefineRecipe } from '../render/encoder.js';

/**
 * Gradient-free refinement of an inversion (the recipe comes from models/encoder.json, measured by the encoder's
 * trainer): each round draws K candidates around the best latent so far (the best itself, and K - 1 steps of
 * sigma x Gaussian noise), renders them in one G batch, and keeps the one closest to the photo by
 *   pixel x MSE(pixels) + feature x MSE(F's features) + identity x (1 - cosine of identity embeddings),
 * each term only where its weight is above 0 and its network is there. A round where no candidate beats the
 * best halves sigma. Deterministic: the noise comes from a fixed seed.
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

export async function refineLatent(z0: Float32Array, recipe: Pick<RefineRecipe, 'rounds' | 'candidates' | 'sigma'>, loss: CandidateLoss): Promise<RefineResult> {
  const noise = gaussianNoise(0x5eed);
  let best = z0;
  let bestLoss = (await loss([z0]))[0]!;
  const before = bestLoss;
  let sigma = recipe.sigma;
  for (let r = 0; r < recipe.rounds; r++) {
    const candidates = Array.from({ length: Math.max(1, recipe.candidates - 1) }, () => best.map((x) => x + sigma * noise()));
    const losses = await loss(candidates);
    let improved = false;
    losses.forEach((l, i) => {
      if (l < bestLoss) {
        bestLoss = l;
        best = candidates[i]!;
        improved = true;
      }
    });
    if (!improved) sigma /= 2;
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
