/**
 * The cost of a request against the length of the face's chain (issue 29 item 2): a refine used to replay
 * every edit through the closed loop (0.2 s on a new face, 7.8 s at 500 edits). Now each face's steered
 * latent is kept (src/latent/steer-cache.ts), so a refine steers its one new edit.
 *   1. the engine, real models, a SQLite store: a face refined up to the chain limit (MAX_EDITS), ms per
 *      refine early and late in the chain;
 *   2. a restart (a new engine, empty cache) refining the longest face: the one full replay it costs;
 *   3. the steering alone (steerFaceCached) continued to `edits` edits (500), past the engine's limit: ms of a
 *      step at 1 edit and at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../src/conversation/engine.js';
import { MAX_EDITS } from '../src/conversation/limits.js';
import type { EngineReply } from '../src/conversation/types.js';
import { editFrom } from '../src/conversation/engine.js';
import { parseDescription } from '../src/grammar/index.js';
import { SteerCache, steerFaceCached } from '../src/latent/steer-cache.js';
import { engineModels, loadFaceModels } from '../src/render/models.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { percentile } from './stats.js';

// steps only: a step always changes the face, where a target ("smiling") can find a searched face there already
// and be answered "nothing changed" (no new face, so the chain would not grow)
const WORDS = ['older', 'more smile', 'younger', 'less smile', 'more beard', 'less beard', 'more makeup', 'less makeup', 'more bangs', 'less bangs'];

function faceOf(r: EngineReply) {
  if (r.kind !== 'face') throw new Error(`expected a face: ${r.text}`);
  return r.face;
}

const median = (xs: number[]) => percentile(xs, 50);

export async function benchChain(modelsDir: string, edits = 500): Promise<void> {
  const models = await loadFaceModels({ modelsDir: path.resolve(modelsDir), provider: 'auto', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 120_000 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-chain-'));
  const store = openSqliteStore(path.join(dir, 'chain.db'));
  try {
    const ctx = { userId: 'bench' };
    // the latents F reads (one G+F pass each): the measure of steering work that does not depend on the machine's load
    const base = engineModels(models);
    let reads = 0;
    const scorer = { ...base.scorer, scoreLatent: base.scorer.scoreLatent.bind(base.scorer), read: async (zs: Float32Array[]) => ((reads += zs.length), base.scorer.read!(zs)) };
    let engine = createEngine({ store, ...base, scorer, random: () => 0.42 });
    faceOf(await engine.describe(ctx, 'a woman'));
    const ms: number[] = []; // ms[k]: the refine of a face with k + 1 edits
    const read: number[] = [];
    for (let k = 1; k < MAX_EDITS; k++) {
      const [t0, r0] = [performance.now(), reads];
      faceOf(await engine.refine(ctx, WORDS[k % WORDS.length]!));
      ms.push(performance.now() - t0);
      read.push(reads - r0);
    }
    const span = (xs: number[], from: number) => median(xs.slice(from, from + 10));
    const [early, late] = [span(ms, 0), span(ms, MAX_EDITS - 11)];
    const [earlyReads, lateReads] = [span(read, 0), span(read, MAX_EDITS - 11)];
    console.log(`chain cost, engine + real models (provider ${models.provider}), one face refined to ${MAX_EDITS} edits (the limit):`);
    console.log(`  refine of a face with 1 edit: ${ms[0]!.toFixed(0)} ms; median, faces with 1-10 edits: ${early.toFixed(0)} ms, ${earlyReads} latents read by F; with ${MAX_EDITS - 10}-${MAX_EDITS - 1} edits: ${late.toFixed(0)} ms (x${(late / early).toFixed(2)}), ${lateReads} latents read`);

    engine = createEngine({ store, ...base, random: () => 0.42 });
    const t0 = performance.now();
    const undone = await engine.undo(ctx); // a restart: redraws the face before the last edit, from scratch
    const cold = performance.now() - t0;
    const t1 = performance.now();
    faceOf(await engine.refine(ctx, 'more smile'));
    const warmAfter = performance.now() - t1;
    console.log(`  after a restart (empty cache): the first request on the ${MAX_EDITS - 1}-edit face ${cold.toFixed(0)} ms (${undone.kind}; the one full replay), the refine after it ${warmAfter.toFixed(0)} ms`);

    const readFaces = (zs: Float32Array[]) => models.scorer.read(zs);
    const cache = new SteerCache();
    const chain = Array.from({ length: edits }, (_, k) => {
      const text = WORDS[k % WORDS.length]!;
      return editFrom(text, parseDescription(text), k > 0);
    });
    const step: number[] = [];
    const passes: number[] = [];
    for (let n = 1; n <= edits; n++) {
      const t = performance.now();
      const r = await steerFaceCached({ seed: 4242, edits: chain.slice(0, n), truncation: 0.7 }, models.axes, readFaces, cache);
      step.push(performance.now() - t);
      passes.push(r.passes);
    }
    // the same words cost different G+F passes on different faces (a face pushed far asks the loop for more): per pass too
    const perPass = step.map((ms, i) => ms / Math.max(1, passes[i]!));
    const [first, end] = [span(step, 0), span(step, edits - 10)];
    console.log(`  the steering alone (steerFaceCached) continued to ${edits} edits: median step at 1-10 edits ${first.toFixed(0)} ms (${span(passes, 0)} G+F passes), at ${edits - 9}-${edits} edits ${end.toFixed(0)} ms (${span(passes, edits - 10)} passes) (x${(end / first).toFixed(2)}); per pass ${span(perPass, 0).toFixed(0)} vs ${span(perPass, edits - 10).toFixed(0)} ms`);
  } finally {
    await store.close();
    await models.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
