import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../src/conversation/engine.js';
import type { EngineReply } from '../src/conversation/types.js';
import { engineModels, loadFaceModels } from '../src/render/models.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { percentile } from './stats.js';

const RUNS = 10;

function faceId(reply: EngineReply): string {
  if (reply.kind !== 'face') throw new Error(`expected a face: ${reply.text}`);
  return reply.face.id;
}

/**
 * /face mix and /face analogy with the shipped models, end to end through the engine: the faces' latents
 * (each steered by F, like every face: that is most of the cost), the latent arithmetic, one render, the
 * labelled PNG and the save. Then a refine of the mixed face, which replays from the stored latent.
 */
export async function benchMix(modelsDir: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mix-'));
  const store = openSqliteStore(path.join(dir, 'bench.db'));
  const models = await loadFaceModels({ modelsDir, provider: 'auto', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000 });
  const engine = createEngine({ store, ...engineModels(models) });
  console.log(`mix and analogy (provider ${models.provider}, 256 px)`);
  const ctx = { userId: 'bench' };
  const other = { userId: 'other' };
  const mix: number[] = [];
  const analogy: number[] = [];
  const refine: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const a = faceId(await engine.describe(other, 'a young man', 100 + i));
    const b = faceId(await engine.describe(other, 'an old man with a beard', 200 + i));
    faceId(await engine.describe(ctx, i % 2 ? 'a smiling woman' : 'a woman with glasses', 300 + i));
    const t0 = performance.now();
    faceId(await engine.mix!(ctx, { otherFaceId: b, weight: 0.5 }));
    const t1 = performance.now();
    faceId(await engine.refine(ctx, 'more smile'));
    const t2 = performance.now();
    await engine.undo(ctx);
    await engine.undo(ctx);
    const t3 = performance.now();
    faceId(await engine.analogy!(ctx, { fromFaceId: a, toFaceId: b }));
    const t4 = performance.now();
    if (i >= 2) {
      mix.push(t1 - t0);
      refine.push(t2 - t1);
      analogy.push(t4 - t3);
    }
  }
  const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} ms, p95 ${percentile(xs, 95).toFixed(0)} ms`;
  console.log(`  one mix (two faces' latents, one render, save): ${fmt(mix)} (${RUNS} runs)`);
  console.log(`  one analogy (three faces' latents, one render, save): ${fmt(analogy)}`);
  console.log(`  refining a mixed face ("more smile", from its stored latent): ${fmt(refine)}`);
  await models.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
