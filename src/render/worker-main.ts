import fs from 'node:fs';
import path from 'node:path';
import { UnrecoverableError, Worker } from 'bullmq';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.js';
import { log, oneLine } from '../log.js';
import { redactRedisUrl } from '../shared-state/redis.js';
import { Generator } from './generator.js';
import { GENERATOR_FILE } from './models.js';
import { ModelLoadError } from './onnx.js';
import { RenderQueue } from './queue.js';
import { bullConnection } from './remote-renderer.js';
import {
  RENDER_QUEUE_NAME,
  RENDER_QUEUE_PREFIX,
  renderJobProblem,
  type RenderJobData,
  type RenderJobResult,
} from './render-jobs.js';

/*
 * `npm run render-worker`: a render worker. It loads G from MODELS_DIR, connects to REDIS_URL and draws the
 * render jobs the gateways (RENDER_WORKERS=redis) add to the shared BullMQ queue, returning each PNG
 * (base64) as the job's result. It takes up to RENDER_WORKER_CONCURRENCY jobs at once; jobs taken together
 * run as one generator batch (the in-process queue batches what arrives in the same tick, at most
 * MAX_BATCH). A worker that dies holding jobs loses its lock after RENDER_JOB_LOCK_MS; another worker's
 * stalled-job check then puts the jobs back in line (first in line), so they are drawn again, not lost.
 */

const WorkerEnv = z.object({
  /** Jobs one worker holds at once (default MAX_BATCH). */
  RENDER_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1024).optional(),
  /** How long a job stays locked to a silent worker (default 10 s): a killed worker's jobs are retried about this much later. */
  RENDER_JOB_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(10_000),
  /** Tests only: wait this long before drawing each job (to kill a worker while it holds one). */
  TELLAFACE_TEST_RENDER_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /** Tests only: the queue name (default 'render'). */
  TELLAFACE_RENDER_QUEUE: z.string().trim().min(1).default(RENDER_QUEUE_NAME),
});

function fail(message: string, code = 1): number {
  process.stderr.write(`tellaface render-worker: ${oneLine(message)}\n`);
  return code;
}

async function main(): Promise<number> {
  let config;
  let env;
  try {
    config = loadConfig();
    const parsed = WorkerEnv.safeParse(process.env);
    if (!parsed.success) {
      throw new ConfigError(`invalid configuration:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
    }
    env = parsed.data;
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }
  if (!config.REDIS_URL) return fail('REDIS_URL is not set: the render worker takes its jobs from Redis (redis://host:6379)');
  if (config.DATABASE_URL || config.DISCORD_TOKEN) log.debug('the render worker uses neither DATABASE_URL nor DISCORD_TOKEN');

  // the worker needs G only; F and axes.json stay with the gateways (steering, explain)
  const generatorFile = path.join(config.MODELS_DIR, GENERATOR_FILE);
  if (!fs.existsSync(generatorFile)) {
    return fail(`${config.MODELS_DIR} lacks ${GENERATOR_FILE}: copy it from the repository's models/ folder, or unset MODELS_DIR (MODELS_DIR is ${config.MODELS_DIR})`);
  }
  let generator: Generator;
  try {
    generator = await Generator.load(generatorFile, config.EXECUTION_PROVIDER);
  } catch (err) {
    if (err instanceof ModelLoadError) return fail(`${err.message} (MODELS_DIR is ${config.MODELS_DIR})`);
    throw err;
  }
  const concurrency = env.RENDER_WORKER_CONCURRENCY ?? config.MAX_BATCH;
  const renderer = new RenderQueue(generator, {
    capacity: Math.max(concurrency, 1) * 2,
    maxBatch: config.MAX_BATCH,
    timeoutMs: config.RENDER_TIMEOUT_MS,
    size: config.RENDER_SIZE,
  });
  const delayMs = env.TELLAFACE_TEST_RENDER_DELAY_MS;
  const wlog = log.child({ component: 'render-worker' });

  const worker = new Worker<RenderJobData, RenderJobResult>(
    env.TELLAFACE_RENDER_QUEUE,
    async (job) => {
      const problem = renderJobProblem(job.data, generator.zDim);
      if (problem) throw new UnrecoverableError(problem);
      if (Date.now() > job.data.deadline) throw new UnrecoverableError('the gateway gave up waiting (past the render timeout)');
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const png = await renderer.renderPng(Float32Array.from(job.data.z), { size: job.data.size });
      return png.toString('base64');
    },
    {
      connection: bullConnection(config.REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: RENDER_QUEUE_PREFIX,
      concurrency,
      lockDuration: env.RENDER_JOB_LOCK_MS,
      stalledInterval: Math.max(250, Math.floor(env.RENDER_JOB_LOCK_MS / 2)),
      maxStalledCount: 2,
      autorun: false,
    },
  );
  let lastWarnAt = 0;
  worker.on('error', (err) => {
    if (Date.now() - lastWarnAt < 30_000) return;
    lastWarnAt = Date.now();
    wlog.warn({ err: { message: err.message } }, 'render worker: Redis error (retrying)');
  });
  worker.on('failed', (job, err) => wlog.warn({ jobId: job?.id, err: { message: err.message } }, 'render job failed'));

  try {
    await worker.waitUntilReady();
  } catch (err) {
    await generator.close();
    return fail(`cannot connect to Redis at ${redactRedisUrl(config.REDIS_URL)} (REDIS_URL): ${(err as Error).message}`);
  }
  void worker.run().catch((err: unknown) => wlog.error({ err }, 'render worker stopped'));
  wlog.info(
    { redis: redactRedisUrl(config.REDIS_URL), provider: generator.provider, concurrency, lockMs: env.RENDER_JOB_LOCK_MS },
    'render worker ready',
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  wlog.info('render worker shutting down (finishing the jobs it holds)');
  await worker.close();
  await generator.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log.fatal({ err }, 'render worker stopped');
    process.exit(fail(err instanceof Error ? err.message : String(err)));
  },
);
