import { describe, expect, it } from 'vitest';
import { QueueFullError, RenderTimeoutError } from '../src/conversation/errors.js';
import type { ImageBatch } from '../src/render/generator.js';
import { RenderQueue } from '../src/render/queue.js';

/** A generator double that logs each batch's size (into `log`) and takes `delayMs`. */
function loggingGenerator(log: string[], delayMs = 20) {
  return {
    zDim: 4,
    async generate(latents: readonly Float32Array[]): Promise<ImageBatch> {
      log.push(`batch ${latents.length}`);
      await new Promise((r) => setTimeout(r, delayMs));
      const size = 8;
      return { data: new Float32Array(latents.length * 3 * size * size), count: latents.length, size };
    },
  };
}

const z = () => new Float32Array(4);
const opts = { capacity: 10, maxBatch: 8, timeoutMs: 5000, size: 16 };

describe('RenderQueue.runInLine (explain\'s F pass, issue 13 one door)', () => {
  it('runs a task alone, in its place in line, between batches, and hears its position', async () => {
    const log: string[] = [];
    const q = new RenderQueue(loggingGenerator(log), opts);
    const positions: number[] = [];
    const first = q.renderPng(z()); // starts a batch of its own
    await new Promise((r) => setImmediate(r));
    const waiting = [q.renderPng(z()), q.renderPng(z())];
    const task = q.runInLine(async () => {
      log.push('task');
      return 42;
    }, { onQueued: (p) => positions.push(p) });
    const after = q.renderPng(z());
    expect(await task).toBe(42);
    await Promise.all([first, ...waiting, after]);
    expect(log).toEqual(['batch 1', 'batch 2', 'task', 'batch 1']);
    expect(positions).toEqual([3, 1]);
  });

  it('counts against the capacity', async () => {
    const q = new RenderQueue(loggingGenerator([]), { ...opts, capacity: 1 });
    const running = q.renderPng(z());
    await new Promise((r) => setImmediate(r));
    const queued = q.runInLine(async () => 1);
    await expect(q.runInLine(async () => 2)).rejects.toBeInstanceOf(QueueFullError);
    await Promise.all([running, queued]);
  });

  it('fails with RenderTimeoutError past the timeout', async () => {
    const q = new RenderQueue(loggingGenerator([]), { ...opts, timeoutMs: 30 });
    await expect(q.runInLine(() => new Promise((r) => setTimeout(r, 200)))).rejects.toBeInstanceOf(RenderTimeoutError);
  });

  it('a failing task fails only itself', async () => {
    const q = new RenderQueue(loggingGenerator([]), opts);
    const [task, png] = await Promise.allSettled([q.runInLine(async () => Promise.reject(new Error('F failed'))), q.renderPng(z())]);
    expect(task).toMatchObject({ status: 'rejected', reason: new Error('F failed') });
    expect(png.status === 'fulfilled' && png.value.subarray(1, 4).toString()).toBe('PNG');
  });
});
