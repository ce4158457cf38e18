/**
 * The closed loop's cost: the time to steer one face (G+F passes until F confirms the edit or the loop
 * gives up), for a few everyday descriptions, one face at a time as the engine does it; the open-loop
 * linear move alone for comparison. Words without a gender first read the face (its gender picks the
 * axes' directions per gender): one more pass.
 */
import path from 'node:path';
import { parseDescription } from '../src/grammar/index.js';
import { faceLatent } from '../src/latent/edit.js';
import { editFrom } from '../src/conversation/engine.js';
import { steerFace } from '../src/latent/steer.js';
import { loadFaceModels } from '../src/render/models.js';
import { percentile } from './stats.js';

const DESCRIPTIONS = [
  ['an old man with glasses, smiling'],
  ['a young woman with blond hair'],
  ['smiling, with bushy eyebrows'],
  ['a 70 year old man'],
  ['an old man', 'make him younger'],
  ['a man with a beard', 'keep the gender, more makeup'],
];


export async function benchSteer(modelsDir: string, faces = 40): Promise<void> {
  const models = await loadFaceModels({ modelsDir: path.resolve(modelsDir), provider: 'auto', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 20_000 });
  const read = (zs: Float32Array[]) => models.scorer.read(zs);
  console.log(`closed-loop edits (F ${models.scorer.readsAge ? 'with' : 'without'} an age head), ${faces} faces each, one at a time:`);
  for (const texts of DESCRIPTIONS) {
    const edits = texts.map((t, i) => editFrom(t, parseDescription(t), i > 0)); // later lines refine, as in the engine
    const ms: number[] = [];
    const passes: number[] = [];
    let missed = 0;
    await steerFace({ seed: 1, edits }, models.axes, read); // warm-up
    for (let s = 0; s < faces; s++) {
      const t0 = performance.now();
      const r = await steerFace({ seed: 900_000 + s, edits }, models.axes, read);
      ms.push(performance.now() - t0);
      passes.push(r.passes);
      if (r.shortfalls.length) missed++;
    }
    const t0 = performance.now();
    for (let s = 0; s < faces; s++) faceLatent({ seed: 900_000 + s, edits }, models.axes);
    const linear = (performance.now() - t0) / faces;
    const meanPasses = passes.reduce((a, b) => a + b, 0) / passes.length;
    console.log(
      `  ${texts.map((t) => `"${t}"`).join(' then ').padEnd(52)} p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms, ` +
        `${meanPasses.toFixed(1)} G+F passes, goal missed on ${missed}/${faces} (linear alone ${linear.toFixed(2)} ms)`,
    );
  }
  await models.close();
}
