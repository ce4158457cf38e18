import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Queue } from 'bullmq';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { Generator } from '../src/render/generator.js';
import { RenderQueue } from '../src/render/queue.js';
import { RENDER_QUEUE_PREFIX } from '../src/render/render-jobs.js';
import { RemoteRenderer, bullConnection } from '../src/render/remote-renderer.js';
import { QueueFullError, RenderTimeoutError } from '../src/render/types.js';
import { SharedStateUnavailableError } from '../src/shared-state/errors.js';
import { skipRedisTests, startRedisServer, type RedisServer } from './helpers/redis-server.js';

/*
 * RENDER_WORKERS=redis against a real redis-server: gateway-side RemoteRenderers add render jobs to BullMQ,
 * render workers (the real `npm run render-worker` entry, as child processes, with the tiny fixture models)
 * draw them. A worker killed while it holds a job does not lose it.
 */

const quiet = pino({ level: 'silent' });
const MODELS = path.resolve('tests/fixtures/models');
const SIZE = 64;

interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

const workers = new Set<WorkerProcess>();

/** Starts `src/render/worker-main.ts` in one node process (no tsx wrapper process: kill -9 must hit the worker itself). */
async function startWorker(url: string, queue: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/render/worker-main.ts'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: url,
      MODELS_DIR: MODELS,
      EXECUTION_PROVIDER: 'cpu',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      RENDER_SIZE: String(SIZE),
      TELLAFACE_RENDER_QUEUE: queue,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const worker: WorkerProcess = {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      workers.delete(worker);
    },
  };
  workers.add(worker);
  const deadline = Date.now() + 45_000;
  while (!output.includes('render worker ready')) {
    if (child.exitCode !== null) throw new Error(`render worker exited (${child.exitCode}): ${output.slice(-1000)}`);
    if (Date.now() > deadline) throw new Error(`render worker not ready within 45 s: ${output.slice(-1000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return worker;
}

function latent(seed: number, zDim: number): Float32Array {
  return Float32Array.from({ length: zDim }, (_, k) => Math.sin(seed * 7.1 + k * 1.3) * 1.5);
}

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('RENDER_WORKERS (config)', () => {
  it('defaults to local; redis needs REDIS_URL', () => {
    expect(loadConfig({}).RENDER_WORKERS).toBe('local');
    expect(loadConfig({ RENDER_WORKERS: 'redis', REDIS_URL: 'redis://localhost:6379' }).RENDER_WORKERS).toBe('redis');
    expect(() => loadConfig({ RENDER_WORKERS: 'redis' })).toThrow(ConfigError);
    expect(() => loadConfig({ RENDER_WORKERS: 'redis' })).toThrow(/RENDER_WORKERS: redis needs REDIS_URL/);
    expect(() => loadConfig({ RENDER_WORKERS: 'gpu-farm' })).toThrow(/RENDER_WORKERS/);
  });
});

describe.skipIf(skipRedisTests)('render workers (BullMQ in a real redis-server)', () => {
  let redis: RedisServer;
  let generator: Generator;
  let local: RenderQueue;
  const renderers: RemoteRenderer[] = [];

  async function gateway(queueName: string, options: { capacity?: number; timeoutMs?: number } = {}): Promise<RemoteRenderer> {
    const r = await RemoteRenderer.open({
      url: redis.url,
      log: quiet,
      zDim: generator.zDim,
      capacity: options.capacity ?? 64,
      timeoutMs: options.timeoutMs ?? 30_000,
      size: SIZE,
      local,
      queueName,
      pollMs: 200,
    });
    renderers.push(r);
    return r;
  }

  beforeAll(async () => {
    redis = await startRedisServer();
    generator = await Generator.load(path.join(MODELS, 'generator.onnx'), 'cpu');
    local = new RenderQueue(generator, { capacity: 64, maxBatch: 32, timeoutMs: 20_000, size: SIZE });
  });

  afterEach(async () => {
    await Promise.all([...workers].map((w) => w.stop()));
    await Promise.all(renderers.splice(0).map((r) => r.close()));
  });

  afterAll(async () => {
    await generator?.close();
    await redis?.dispose();
  });

  it('two gateways, one worker: every render comes back with the in-process PNG bytes for the same z', async () => {
    const queue = `render-${randomUUID()}`;
    await startWorker(redis.url, queue);
    const [a, b] = await Promise.all([gateway(queue), gateway(queue)]);
    const zs = Array.from({ length: 10 }, (_, i) => latent(i + 1, generator.zDim));
    // both gateways at once: the worker takes several jobs together and batches them
    const remote = await Promise.all(zs.map((z, i) => (i % 2 === 0 ? a : b).renderPng(z)));
    const expected = await Promise.all(zs.map((z) => local.renderPng(z)));
    for (let i = 0; i < zs.length; i++) expect(remote[i]!.equals(expected[i]!), `render ${i}`).toBe(true);
    // the size travels with the job
    const big = await a.renderPng(zs[0]!, { size: 128 });
    expect(big.equals(await local.renderPng(zs[0]!, { size: 128 }))).toBe(true);
    // runInLine (explain's F reading) runs on the gateway's own queue
    expect(await a.runInLine(async () => 42)).toBe(42);
  });

  it('answers a full queue with QueueFullError, hears its place in line, and times out with RenderTimeoutError', async () => {
    const queue = `render-${randomUUID()}`; // no worker takes these
    const [a, b] = await Promise.all([gateway(queue, { capacity: 2, timeoutMs: 3000 }), gateway(queue, { capacity: 2, timeoutMs: 3000 })]);
    const positions: number[][] = [[], []];
    const first = a.renderPng(latent(1, generator.zDim), { onQueued: (p) => positions[0]!.push(p) });
    await until(async () => (await a.waitingCount()) === 1, 5000);
    const second = b.renderPng(latent(2, generator.zDim), { onQueued: (p) => positions[1]!.push(p) });
    await until(async () => (await b.waitingCount()) === 2, 5000);
    // the capacity counts the jobs of every gateway
    await expect(a.renderPng(latent(3, generator.zDim))).rejects.toBeInstanceOf(QueueFullError);
    await expect(b.renderPng(latent(3, generator.zDim))).rejects.toBeInstanceOf(QueueFullError);
    await expect(first).rejects.toBeInstanceOf(RenderTimeoutError);
    await expect(second).rejects.toBeInstanceOf(RenderTimeoutError);
    expect(positions[0]).toEqual([1]);
    expect(positions[1]![0]).toBe(2); // (then 1, if it looks again after the first one left)
    // the given-up jobs leave the line: the next render is accepted again
    await until(async () => (await a.waitingCount()) === 0, 5000);
    await expect(a.renderPng(latent(4, generator.zDim))).rejects.toBeInstanceOf(RenderTimeoutError);
  });

  it('refuses renders as "busy" while Redis is away, and renders again once it is back', async () => {
    const queue = `render-${randomUUID()}`;
    await startWorker(redis.url, queue);
    const a = await gateway(queue);
    const z = latent(5, generator.zDim);
    expect((await a.renderPng(z)).equals(await local.renderPng(z))).toBe(true);
    await redis.stop();
    try {
      const started = Date.now();
      await expect(a.renderPng(z)).rejects.toBeInstanceOf(SharedStateUnavailableError);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await redis.start();
    }
    let png: Buffer | undefined;
    await until(async () => {
      png = await a.renderPng(z).catch(() => undefined);
      return png !== undefined;
    }, 30_000);
    expect(png!.equals(await local.renderPng(z))).toBe(true);
  });

  it('retries the job of a worker killed while it holds it (kill -9): another worker draws it', async () => {
    const queue = `render-${randomUUID()}`;
    const lock = { RENDER_JOB_LOCK_MS: '1000' };
    const slow = await startWorker(redis.url, queue, { ...lock, TELLAFACE_TEST_RENDER_DELAY_MS: '60000' });
    const a = await gateway(queue, { timeoutMs: 40_000 });
    const z = latent(9, generator.zDim);
    const rendering = a.renderPng(z);
    const inspect = new Queue(queue, { connection: bullConnection(redis.url), prefix: RENDER_QUEUE_PREFIX });
    try {
      await until(async () => (await inspect.getActiveCount()) === 1, 10_000);
      slow.child.kill('SIGKILL');
      await slow.stop();
      const started = Date.now();
      await startWorker(redis.url, queue, lock);
      const png = await rendering;
      expect(png.equals(await local.renderPng(z))).toBe(true);
      expect(Date.now() - started).toBeLessThan(30_000);
      const [job] = await inspect.getJobs(['completed']);
      expect(job?.attemptsStarted ?? 0).toBeGreaterThanOrEqual(2);
    } finally {
      await inspect.close();
    }
  });
});
