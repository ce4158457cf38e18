import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../src/conversation/engine.js';
import { interpolateLatent } from '../src/latent/origin.js';
import { encodeAnimation, morphDelays, morphSchedule, MORPH_FRAMES } from '../src/conversation/morph.js';
import { faceLatent } from '../src/latent/edit.js';
import { engineModels, loadFaceModels } from '../src/render/models.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { percentile } from './stats.js';

const RUNS = 10;

/**
 * /face morph with the shipped models: ms per morph (16 frames at 256 px, 9 distinct latents rendered in
 * one generator batch, animated WebP), end to end through the engine (the two ends steered by F, like
 * every face), and its parts: the frames' render batch and the WebP encode.
 */
export async function benchMorph(modelsDir: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-morph-'));
  const store = openSqliteStore(path.join(dir, 'bench.db'));
  const models = await loadFaceModels({ modelsDir, provider: 'auto', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000 });
  const engine = createEngine({ store, ...engineModels(models) });
  console.log(`morph (provider ${models.provider}, ${MORPH_FRAMES} frames at 256 px, animated WebP)`);
  const ctx = { userId: 'bench' };
  const words = ['older', 'smile', 'from young to old', 'more beard'];
  const total: number[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    await engine.describe(ctx, i % 2 ? 'a man' : 'a woman', 4242 + i);
    const t0 = performance.now();
    const reply = await engine.morph!(ctx, words[i % words.length]!);
    const ms = performance.now() - t0;
    if (reply.kind !== 'morph') throw new Error(`morph failed: ${reply.text}`);
    if (i >= 2) {
      total.push(ms);
      bytes.push(reply.webp.length);
    }
  }
  const fmt = (xs: number[], p: number) => percentile(xs, p).toFixed(0);
  console.log(`  one morph, words -> WebP: p50 ${fmt(total, 50)} ms, p95 ${fmt(total, 95)} ms (${RUNS} runs); ${(percentile(bytes, 50) / 1024).toFixed(0)} KiB p50, ${(Math.max(...bytes) / 1024).toFixed(0)} KiB max`);

  // the parts: the frames' one batch (9 distinct latents → PNG through the queue) and the WebP encode
  const a = faceLatent({ seed: 7, edits: [] }, models.axes);
  const b = faceLatent({ seed: 8, edits: [] }, models.axes);
  const schedule = morphSchedule(MORPH_FRAMES);
  const latents = schedule.slice(0, MORPH_FRAMES / 2 + 1).map((t) => interpolateLatent(a, b, t));
  const render: number[] = [];
  const encode: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const pngs = await Promise.all(latents.map((z) => models.renderer.renderPng(z, { size: 256 })));
    const t1 = performance.now();
    await encodeAnimation(schedule.map((_, k) => pngs[Math.min(k, MORPH_FRAMES - k)]!), { frames: MORPH_FRAMES, delays: morphDelays(MORPH_FRAMES), xmp: '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>' });
    render.push(t1 - t0);
    encode.push(performance.now() - t1);
  }
  console.log(`  parts: ${latents.length} frames rendered in one batch p50 ${fmt(render, 50)} ms; WebP encode of ${MORPH_FRAMES} frames p50 ${fmt(encode, 50)} ms; the rest is steering the two ends (G+F passes)`);
  await models.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
