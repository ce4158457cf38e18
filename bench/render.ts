import path from 'node:path';
import { parseDescription } from '../src/grammar/index.js';
import { AxisSet } from '../src/latent/axes.js';
import { faceLatent } from '../src/latent/edit.js';
import { Generator } from '../src/render/generator.js';
import { AXES_FILE, GENERATOR_FILE } from '../src/render/models.js';
import { encodePng } from '../src/render/png.js';
import { percentile } from './stats.js';

/** Render latency for one face (text -> PNG) and batched throughput, with the shipped models. */
export async function benchRender(modelsDir: string): Promise<void> {
  const generator = await Generator.load(path.join(modelsDir, GENERATOR_FILE), 'auto');
  const axes = AxisSet.fromFile(path.join(modelsDir, AXES_FILE));
  console.log(`render (provider ${generator.provider})`);
  const texts = ['older man, smiling, more beard, receding hairline', 'a young woman with blonde hair and glasses', 'bald guy with a moustache', 'smiling girl, wavy hair, lipstick'];
  const once = async (i: number) => {
    const t0 = performance.now();
    const p = parseDescription(texts[i % texts.length]!);
    const z = faceLatent({ seed: 1000 + i, edits: [{ text: '', weights: p.weights, mode: p.mode, locks: p.locks }] }, axes);
    const batch = await generator.generate([z]);
    await encodePng(batch, 0, 256);
    return performance.now() - t0;
  };
  for (let i = 0; i < 10; i++) await once(i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 200; i++) times.push(await once(i));
  console.log(`  one face, text -> 256 px PNG: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms (200 runs)`);

  for (const size of [32, 64]) {
    const latents = Array.from({ length: size }, (_, i) => faceLatent({ seed: i, edits: [] }, axes));
    await generator.generate(latents);
    let t0 = performance.now();
    const rounds = 8;
    for (let r = 0; r < rounds; r++) await generator.generate(latents);
    const gOnly = (rounds * size) / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    for (let r = 0; r < 3; r++) {
      const b = await generator.generate(latents);
      await Promise.all(latents.map((_, i) => encodePng(b, i, 256)));
    }
    const withPng = (3 * size) / ((performance.now() - t0) / 1000);
    console.log(`  batched x${size}: ${gOnly.toFixed(0)} faces/s (generator), ${withPng.toFixed(0)} faces/s (generator + 256 px PNG)`);
  }
  await generator.close();
}
