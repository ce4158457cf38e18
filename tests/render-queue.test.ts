import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Generator, type ImageBatch } from '../src/render/generator.js';
import { RenderQueue } from '../src/render/queue.js';
import { QueueFullError, RenderTimeoutError } from '../src/render/types.js';

/** A generator double that records batch sizes and can be held until released. */
function fakeGenerator(delayMs = 0) {
  const batches: number[] = [];
  let fail = false;
  return {
    batches,
    failNext: () => (fail = true),
    zDim: 4,
    async generate(latents: readonly Float32Array[]): Promise<ImageBatch> {
      batches.push(latents.length);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (fail) {
        fail = false;
        throw new Error('boom');
      }
      const size = 8;
      const data = new Float32Array(latents.length * 3 * size * size);
      latents.forEach((z, i) => data.fill(z[0]!, i * 3 * size * size, (i + 1) * 3 * size * size));
      return { data, count: latents.length, size };
    },
  };
}

const opts = { capacity: 10, maxBatch: 4, timeoutMs: 5000, size: 16 };
const z = (v: number) => Float32Array.from([v, 0, 0, 0]);

describe('render queue', () => {
  it('batches requests that arrive together, up to maxBatch per run', async () => {
    const g = fakeGenerator(20);
    const q = new RenderQueue(g, opts);
    const pngs = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => q.renderPng(z(i / 10))));
    expect(g.batches).toEqual([4, 2]);
    expect(pngs.every((p) => p.subarray(1, 4).toString() === 'PNG')).toBe(true);
  });

  it('tells waiting requests their position in line', async () => {
    const g = fakeGenerator(30);
    const q = new RenderQueue(g, { ...opts, maxBatch: 1 });
    const seen: number[][] = [[], [], []];
    await Promise.all([0, 1, 2].map((i) => q.renderPng(z(0), { onQueued: (p) => seen[i]!.push(p) })));
    expect(seen[0]).toEqual([]);
    expect(seen[1]).toEqual([1]);
    expect(seen[2]).toEqual([2, 1]);
  });

  it('refuses work beyond its capacity with QueueFullError', async () => {
    const g = fakeGenerator(30);
    const q = new RenderQueue(g, { ...opts, capacity: 2, maxBatch: 1 });
    const first = q.renderPng(z(0));
    await new Promise((r) => setImmediate(r)); // the first one is running now, not waiting
    const accepted = [first, q.renderPng(z(0)), q.renderPng(z(0))];
    expect(q.depth).toBe(2);
    await expect(q.renderPng(z(0))).rejects.toBeInstanceOf(QueueFullError);
    await Promise.all(accepted);
  });

  it('gives up on a request that waits too long, and the queue carries on', async () => {
    const g = fakeGenerator(80);
    const q = new RenderQueue(g, { ...opts, maxBatch: 1, timeoutMs: 50 });
    const [a, b] = await Promise.allSettled([q.renderPng(z(0)), q.renderPng(z(0))]);
    expect(a.status === 'rejected' && a.reason).toBeInstanceOf(RenderTimeoutError);
    expect(b.status === 'rejected' && b.reason).toBeInstanceOf(RenderTimeoutError);
    expect(g.batches).toEqual([1]); // b was dropped from the line, never rendered
    const q2 = new RenderQueue(fakeGenerator(), opts);
    await expect(q2.renderPng(z(0))).resolves.toBeInstanceOf(Buffer);
  });

  it('fails every request of a broken batch, then serves the next', async () => {
    const g = fakeGenerator(5);
    const q = new RenderQueue(g, opts);
    g.failNext();
    const results = await Promise.allSettled([q.renderPng(z(0)), q.renderPng(z(0))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(q.renderPng(z(0))).resolves.toBeInstanceOf(Buffer);
  });

  it('renders the fixture generator to PNGs of the asked size', async () => {
    const g = await Generator.load(path.resolve('tests/fixtures/models/generator.onnx'), 'auto');
    const q = new RenderQueue(g, opts);
    const png = await q.renderPng(new Float32Array(g.zDim).fill(0.3), { size: 48 });
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 48, 48, 3]);
    await g.close();
  });
});
