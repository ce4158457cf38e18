import { keepInRange } from '../latent/edit.js';
import { borderLuma, fitSceneLight, type SceneLight } from '../latent/scene-light.js';
import { seedToLatent } from '../latent/seed.js';
import type { Generator } from '../render/generator.js';
import { toRgbBytes } from '../render/png.js';

/** Seeds 2,000,000 on: apart from the axes' own samples (1,000,000 on) and from users' everyday seeds. */
export const SCENE_LIGHT_SEED = 2_000_000;
export const SCENE_LIGHT_SAMPLES = 4000;

/** The scene-light direction of `generator` (src/latent/scene-light.ts): `samples` seeds rendered, their border's luma fitted on z. */
export async function sceneLightOf(generator: Generator, samples = SCENE_LIGHT_SAMPLES, seed = SCENE_LIGHT_SEED): Promise<SceneLight> {
  const latents = Array.from({ length: samples }, (_, i) => keepInRange(seedToLatent(seed + i, generator.zDim)));
  const lumas: number[] = [];
  for (let i = 0; i < latents.length; i += 64) {
    const batch = await generator.generate(latents.slice(i, i + 64));
    for (let j = 0; j < batch.count; j++) lumas.push(borderLuma(toRgbBytes(batch, j), batch.size));
  }
  return fitSceneLight(latents, lumas);
}

/** The axes.json field for a scene light (numbers rounded as the axes' are). */
export function sceneLightJson(light: SceneLight): { axis: number[]; r2: number; slope: number } {
  const r = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
  return { axis: Array.from(light.vector, (v) => r(v, 6)), r2: r(light.r2, 4), slope: r(light.slope, 4) };
}
