/**
 * "Pick from four": the time for /face describe four:true (four faces, closed loop, one 2×2 PNG) and for Vary,
 * through the real engine and render queue, against one /face describe; and how G was run (batch sizes: the
 * four faces' closed-loop passes and their final render each go through G together).
 * `npm run bench -- --only grid [--grid-out FILE]` (FILE: where to save one grid and its vary, to look at).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createEngine } from '../src/conversation/engine.js';
import type { FourReply } from '../src/conversation/types.js';
import { engineModels, loadFaceModels } from '../src/render/models.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { percentile } from './stats.js';

const TEXT = 'an old man with glasses, smiling';

export async function benchGrid(modelsDir: string, runs = 12, saveTo?: string): Promise<void> {
  const models = await loadFaceModels({ modelsDir: path.resolve(modelsDir), provider: 'auto', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 20_000 });
  const store = openSqliteStore(':memory:');
  const engine = createEngine({ store, ...engineModels(models) });
  const ctx = { userId: 'bench' };
  // every G run, in order: the closed loop's G+F passes and the queue's renders
  const batches: number[] = [];
  const generate = models.generator.generate.bind(models.generator);
  models.generator.generate = (latents) => {
    batches.push(latents.length);
    return generate(latents);
  };
  const grid = (reply: FourReply) => {
    if (reply.kind !== 'grid') throw new Error(`expected a grid: ${reply.text}`);
    return reply;
  };

  await engine.describe(ctx, TEXT); // warm-up
  grid(await engine.describeFour!(ctx, TEXT));
  const one: number[] = [];
  const four: number[] = [];
  const vary: number[] = [];
  const runsOfFour: number[][] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    await engine.describe(ctx, TEXT, 500_000 + i);
    one.push(performance.now() - t0);

    batches.length = 0;
    t0 = performance.now();
    const g = grid(await engine.describeFour!(ctx, TEXT, 600_000 + 4 * i));
    four.push(performance.now() - t0);
    runsOfFour.push([...batches]);

    t0 = performance.now();
    const v = grid(await engine.vary!(ctx, g.faces[0]!.id));
    vary.push(performance.now() - t0);
    if (i === 0 && saveTo) {
      fs.mkdirSync(path.dirname(path.resolve(saveTo)), { recursive: true });
      fs.writeFileSync(saveTo, g.png);
      fs.writeFileSync(saveTo.replace(/(\.png)?$/, '-vary1.png'), v.png);
    }
  }
  const fmt = (ms: number[]) => `p50 ${percentile(ms, 50).toFixed(0)} ms, p95 ${percentile(ms, 95).toFixed(0)} ms`;
  console.log(`pick from four, real models (provider ${models.provider}), "${TEXT}", ${runs} runs, one request at a time:`);
  console.log(`  one face (/face describe)              ${fmt(one)}`);
  console.log(`  four-up grid (describe four:true)      ${fmt(four)}  (four faces, closed loop, 512 px grid PNG)`);
  console.log(`  vary (four neighbours of a face)       ${fmt(vary)}`);
  const finalOfFour = runsOfFour.every((r) => r.at(-1) === 4);
  console.log(`  the four final renders: ${finalOfFour ? 'one G run of 4 latents in every grid' : `not one batch: ${JSON.stringify(runsOfFour)}`}`);
  console.log(`  G runs per grid, closed-loop passes included (the four faces' passes run together): ${runsOfFour.map((r) => r.join('+')).join(', ')}`);
  await models.close();
  await store.close();
}
