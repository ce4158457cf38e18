/**
 * The identity hold's cost (docs/identity-hold.md): one refinement steered from its parent's latent as the engine
 * steers it (steerFaceCached), with the hold and without, on the same faces; and what the identity network adds
 * to one G+F read. Needs an identity network in the models folder (models/identity.onnx and identity.json).
 */
import path from 'node:path';
import { editFrom } from '../src/conversation/engine.js';
import { parseDescription } from '../src/grammar/index.js';
import { SteerCache, steerFaceCached } from '../src/latent/steer-cache.js';
import { loadFaceModels } from '../src/render/models.js';
import { percentile } from './stats.js';

const CASES = [['a man with a beard', 'no beard'], ['a man', 'add glasses'], ['a woman', 'make her 60 years old']];

export async function benchIdentityHold(modelsDir: string, faces = 20): Promise<void> {
  const models = await loadFaceModels({ modelsDir: path.resolve(modelsDir), provider: 'auto', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000 });
  try {
    const held = models.axes;
    if (!held.identityHold) {
      console.log('identity hold: no identity network in the models folder (models/identity.onnx and identity.json): skipped');
      return;
    }
    const open = held.withIdentityHold(undefined);
    const read = (zs: Float32Array[]) => models.scorer.read(zs);
    const z = [new Float32Array(models.generator.zDim).fill(0.3)];
    const t = async (f: () => Promise<unknown>) => { const t0 = performance.now(); for (let i = 0; i < 10; i++) await f(); return (performance.now() - t0) / 10; };
    await read(z);
    const withNet = await t(() => models.scorer.read(z));
    const withoutNet = await t(() => models.scorer.readMany(z, 1, false, true, false));
    console.log(`identity hold (band ${held.identityHold.band}), ${faces} faces each: one G+F read ${withoutNet.toFixed(1)} ms, with the identity network ${withNet.toFixed(1)} ms`);
    for (const [describe, refine] of CASES) {
      const first = editFrom(describe!, parseDescription(describe!));
      const then = editFrom(refine!, parseDescription(refine!), true);
      const ms = { held: [] as number[], open: [] as number[] };
      const passes = { held: 0, open: 0 };
      for (let s = 0; s < faces; s++) {
        for (const [arm, axes] of [['held', held], ['open', open]] as const) {
          const cache = new SteerCache();
          await steerFaceCached({ seed: 700_000 + s, edits: [first], truncation: 1 }, axes, read, cache);
          const t0 = performance.now();
          const r = await steerFaceCached({ seed: 700_000 + s, edits: [first, then], truncation: 1 }, axes, read, cache);
          ms[arm].push(performance.now() - t0);
          passes[arm] += r.passes / faces;
        }
      }
      console.log(
        `  "${describe}" then "${refine}": held p50 ${percentile(ms.held, 50).toFixed(0)} ms, p95 ${percentile(ms.held, 95).toFixed(0)} ms, ${passes.held.toFixed(1)} passes; ` +
          `not held p50 ${percentile(ms.open, 50).toFixed(0)} ms, p95 ${percentile(ms.open, 95).toFixed(0)} ms, ${passes.open.toFixed(1)} passes`,
      );
    }
  } finally {
    await models.close();
  }
}
