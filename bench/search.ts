/**
 * What the seed search and the realism guard cost a one-message face (issue 24): the closed loop as before
 * (the seed's own latent, no guard) against the search then the guarded loop, the two interleaved seed by seed
 * so that the other work on the machine weighs on both alike; then the search's parts per candidate.
 */
import path from 'node:path';
import { parseDescription } from '../src/grammar/index.js';
import { editFrom, searchedEdits } from '../src/conversation/engine.js';
import { steerFace, type ReadFaces } from '../src/latent/steer.js';
import { candidateLatent } from '../src/latent/candidates.js';
import { searchSeed, SEARCH_CANDIDATES, SEARCH_RENDERED, SEARCH_RENDERED_RARE, SEARCH_SCREENED } from '../src/latent/seed-search.js';
import { loadFaceModels } from '../src/render/models.js';
import { LatentScorer } from '../src/render/scorer.js';
import { RECENT_FACES } from '../src/render/recent.js';
import { percentile } from './stats.js';

const DESCRIPTIONS = ['an old man with glasses, smiling', 'a young woman with blond hair', 'a 70 year old man', 'a young woman with glasses and a hat'];

export async function benchSearch(modelsDir: string, faces = 30): Promise<void> {
  const models = await loadFaceModels({ modelsDir: path.resolve(modelsDir), provider: 'auto', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000, recentFaces: RECENT_FACES });
  const plain = new LatentScorer(models.generator, models.classifier, models.axes.probes());
  const readPlain = (zs: Float32Array[]) => plain.read(zs);
  // as the engine reads: the identity network only where an option asks for it (a new face's loop holds nothing)
  const read: ReadFaces = (zs, options) => models.scorer.read(zs, options);
  console.log(`one-message face, before (seed, loop) vs now (seed search + guarded loop), ${faces} seeds each, interleaved:`);
  for (const words of DESCRIPTIONS) {
    const edits = [editFrom(words, parseDescription(words))];
    const before: number[] = [];
    const after: number[] = [];
    await steerFace({ seed: 1, edits, truncation: 0.8 }, models.axes, read); // warm-up
    for (let s = 0; s < faces; s++) {
      const face = { seed: 910_000 + s, edits, truncation: 0.8 };
      let t0 = performance.now();
      await steerFace(face, models.axes, readPlain);
      before.push(performance.now() - t0);
      t0 = performance.now();
      const searched = await searchedEdits(face, models.axes, models.scorer, read);
      await steerFace({ ...face, edits: searched }, models.axes, read);
      after.push(performance.now() - t0);
    }
    console.log(`  "${words}"`.padEnd(40) + ` before p50 ${percentile(before, 50).toFixed(1)} ms, p95 ${percentile(before, 95).toFixed(1)} ms; ` +
      `now p50 ${percentile(after, 50).toFixed(1)} ms, p95 ${percentile(after, 95).toFixed(1)} ms`);
  }
  // the parts: candidates made and screened by the axes; the surrogate; one G+F read of the best few
  const edits = [editFrom('a young woman with glasses and a hat', parseDescription('a young woman with glasses and a hat'))];
  const time = async (fn: () => Promise<unknown> | unknown, n = 20) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return (performance.now() - t0) / n;
  };
  const zs = Array.from({ length: 256 }, (_, i) => candidateLatent(3, 0, i, models.axes.zDim));
  const made = await time(() => zs.map((_, i) => candidateLatent(3, 0, i, models.axes.zDim)), 5);
  const surrogate = models.axes.surrogate!;
  const predicted = await time(() => zs.map((z) => surrogate.predict!(z)), 3);
  // new latents and seeds each time: the scorer remembers the faces it read last (src/render/recent.ts)
  let set = 1;
  const reads = await time(() => read(Array.from({ length: SEARCH_RENDERED }, (_, i) => candidateLatent(3, set++, i, models.axes.zDim)), { identity: false }));
  let seed = 5;
  const whole = await time(() => searchSeed({ seed: seed++, edits, truncation: 0.8 }, models.axes, (zs) => read(zs, { identity: false })));
  console.log(`  search parts: ${(1000 * made / 256).toFixed(1)} µs to make a candidate; ${(1000 * predicted / 256).toFixed(0)} µs a surrogate screen; ` +
    `${reads.toFixed(1)} ms for the G+F read of ${SEARCH_RENDERED}; the whole search (${SEARCH_CANDIDATES} candidates, ${SEARCH_SCREENED} by the surrogate, ` +
    `${SEARCH_RENDERED_RARE} read: glasses and a hat are two rare things) ${whole.toFixed(1)} ms`);
  await models.close();
}
