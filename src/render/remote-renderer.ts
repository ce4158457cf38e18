import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { SharedStateOpenError, SharedStateUnavailableError } from '../shared-state/errors.js';
import { redactRedisUrl, secretScrubber } from '../shared-state/redis.js';
import {
  RENDER_EVENTS_MAX_LEN,
  RENDER_JOB_ATTEMPTS,
  RENDER_KEEP_DONE_COUNT,
  RENDER_KEEP_DONE_S,
  RENDER_QUEUE_NAME,
  RENDER_QUEUE_PREFIX,
  type RenderJobData,
  type RenderJobResult,
} from './render-jobs.js';
import { QueueFullError, RenderTimeoutError, type FaceRenderer, type RenderOptions } from './types.js';

/** How a gateway opens the shared render queue: its settings, REDIS_URL, its own G (z size) and its local queue. */
export function remoteRendererOptionsFrom(
  config: Config, url: string, models: { generator: { zDim: number }; renderer: FaceRenderer }, log: Logger,
): RemoteRendererOptions {
  return {
    url,
    log: log.child({ component: 'render-queue' }),
    zDim: models.generator.zDim,
    capacity: config.QUEUE_CAPACITY,
    timeoutMs: config.RENDER_TIMEOUT_MS,
    size: config.RENDER_SIZE,
    local: models.renderer,
  };
}

export interface RemoteRendererOptions {
  /** REDIS_URL. */
  url: string;
  log: Logger;
  zDim: number;
  /** QUEUE_CAPACITY: most jobs waiting in the shared queue (all gateways together); one more is refused. */
  capacity: number;
  /** RENDER_TIMEOUT_MS: a render not finished this long after it was asked for fails with RenderTimeoutError. */
  timeoutMs: number;
  /** RENDER_SIZE: the default PNG side. */
  size: number;
  /**
   * Where runInLine's tasks run (F's reading for explain uses the gateway's own G and F): the gateway's
   * in-process queue. Without it runInLine runs the task directly, with the timeout.
   */
  local?: FaceRenderer;
  /** Queue name (tests use their own). */
  queueName?: string;
  /** Key prefix (default RENDER_QUEUE_PREFIX). */
  prefix?: string;
  connectTimeoutMs?: number;
  /** Deadline of one Redis call (counting, adding a job); past it the render is refused as "busy" (default 2 s). */
  commandTimeoutMs?: number;
  /** How often a waiting job's position and state are looked at (default 1 s; the first look is after 250 ms). */
  pollMs?: number;
}

interface Pending {
  resolve: (png: Buffer) => void;
  reject: (err: Error) => void;
}

/** BullMQ connection options from a redis:// URL (ioredis: a command fails after a few reconnection tries). */
export function bullConnection(url: string, extra: Record<string, unknown> = {}): ConnectionOptions {
  return { url, maxRetriesPerRequest: 1, enableOfflineQueue: true, ...extra } as ConnectionOptions;
}

function withDeadline<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SharedStateUnavailableError(what, `Redis did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The gateway's FaceRenderer when RENDER_WORKERS=redis: each renderPng is a job in a BullMQ queue in Redis,
 * drawn by a render worker (`npm run render-worker`, src/render/worker-main.ts) and handed back as the
 * job's result. Any number of gateways and workers share the queue; a job whose worker dies is retried by
 * another (BullMQ's stalled-job check). Capacity, timeout and position in line behave as the in-process
 * queue's: QueueFullError when QUEUE_CAPACITY jobs already wait, RenderTimeoutError past RENDER_TIMEOUT_MS.
 * Only the final renders travel: the engine's steering passes (F's reading) and explain's runInLine stay
 * on the gateway's own models.
 */
export class RemoteRenderer implements FaceRenderer {
  readonly zDim: number;
  private readonly pending = new Map<string, Pending>();
  private readonly commandTimeoutMs: number;
  private readonly pollMs: number;
  private closed = false;
  private lastWarnAt = 0;
  /** The last error Redis gave (a refused password, a refused connection), for the start-up message. */
  private lastError = '';

  private constructor(
    private readonly queue: Queue<RenderJobData, RenderJobResult>,
    private readonly events: QueueEvents,
    private readonly options: RemoteRendererOptions,
  ) {
    this.zDim = options.zDim;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    this.pollMs = options.pollMs ?? 1000;
    const onError = (err: Error) => {
      this.lastError = err.message;
      this.warn('the render queue lost Redis; renders are refused as "busy" until it is back', err);
    };
    queue.on('error', onError);
    events.on('error', onError);
    events.on('completed', ({ jobId, returnvalue }) => this.finish(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => this.fail(jobId, failedReason));
  }

  /** Connects to Redis; throws SharedStateOpenError (one line, no password) when it cannot within connectTimeoutMs. */
  static async open(options: RemoteRendererOptions): Promise<RemoteRenderer> {
    const name = options.queueName ?? RENDER_QUEUE_NAME;
    const prefix = options.prefix ?? RENDER_QUEUE_PREFIX;
    const queue = new Queue<RenderJobData, RenderJobResult>(name, {
      connection: bullConnection(options.url),
      prefix,
      streams: { events: { maxLen: RENDER_EVENTS_MAX_LEN } },
      defaultJobOptions: {
        attempts: RENDER_JOB_ATTEMPTS,
        // the gateway has the result from the event stream or its poll; keep finished jobs a little while only
        removeOnComplete: { age: RENDER_KEEP_DONE_S, count: RENDER_KEEP_DONE_COUNT },
        removeOnFail: { age: 600, count: 1000 },
      },
    });
    const events = new QueueEvents(name, { connection: bullConnection(options.url, { maxRetriesPerRequest: null }), prefix });
    const renderer = new RemoteRenderer(queue, events, options);
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    try {
      await withDeadline('connecting', timeoutMs, Promise.all([queue.waitUntilReady(), events.waitUntilReady()]).then(() => queue.getWaitingCount()));
    } catch (err) {
      // closing waits on connections that never opened: bounded, then the sockets are dropped
      await withDeadline('closing', 1000, renderer.close()).catch(() => renderer.drop());
      const last = renderer.lastError ? ` (${renderer.lastError})` : '';
      const why = err instanceof SharedStateUnavailableError ? `no connection within ${timeoutMs} ms${last}` : (err as Error).message;
      const scrub = secretScrubber(options.url);
      throw new SharedStateOpenError(scrub(`cannot connect to Redis at ${redactRedisUrl(options.url)} (REDIS_URL) for the render queue: ${why}`));
    }
    return renderer;
  }

  /** Jobs waiting for a worker in the shared queue (all gateways). */
  waitingCount(): Promise<number> {
    return this.queue.getWaitingCount();
  }

  async renderPng(z: Float32Array, options: RenderOptions = {}): Promise<Buffer> {
    if (this.closed) throw new SharedStateUnavailableError('adding a render job', 'the render queue is closed');
    if (z.length !== this.zDim) throw new RangeError(`z has ${z.length} numbers, the generator takes ${this.zDim}`);
    const started = Date.now();
    const { capacity, timeoutMs } = this.options;
    const waiting = await this.redisCall('counting the render jobs waiting', this.queue.getWaitingCount());
    if (waiting >= capacity) throw new QueueFullError(capacity);

    const jobId = randomUUID();
    const result = new Promise<Buffer>((resolve, reject) => this.pending.set(jobId, { resolve, reject }));
    // handled below by the race; until then (while the job is added) a close() or an early failure must not go unhandled
    result.catch(() => undefined);
    const data: RenderJobData = { z: Array.from(z), size: options.size ?? this.options.size, deadline: started + timeoutMs };
    try {
      await this.redisCall('adding a render job', this.queue.add('render', data, { jobId }));
    } catch (err) {
      this.pending.delete(jobId);
      throw err;
    }

    let timer: NodeJS.Timeout | undefined;
    let poller: NodeJS.Timeout | undefined;
    let lastPosition = 0;
    const look = async (tick: number) => {
      if (!this.pending.has(jobId) || this.closed) return;
      try {
        const position = await this.position(jobId);
        if (position > 0 && position !== lastPosition && options.onQueued) {
          lastPosition = position;
          try {
            options.onQueued(position);
          } catch (err) {
            this.options.log.warn({ err }, 'queue position callback failed');
          }
        }
        // a missed event (trimmed stream, a reconnection) must not leave the render hanging: look at the job itself
        if (position === 0 && tick % 2 === 1) await this.checkFinished(jobId);
      } catch {
        // Redis away for a moment: the timeout still ends the wait
      }
      if (this.pending.has(jobId) && !this.closed) poller = setTimeout(() => void look(tick + 1), this.pollMs);
    };
    poller = setTimeout(() => void look(0), Math.min(250, this.pollMs));
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.pending.delete(jobId);
        // best effort: a job still waiting is removed; one a worker holds is skipped by it past its deadline
        void this.queue.remove(jobId).catch(() => undefined);
        reject(new RenderTimeoutError(timeoutMs));
      }, Math.max(1, started + timeoutMs - Date.now()));
    });
    try {
      return await Promise.race([result, timeout]);
    } finally {
      clearTimeout(timer);
      clearTimeout(poller);
      this.pending.delete(jobId);
    }
  }

  async runInLine<T>(task: () => Promise<T>, options: Pick<RenderOptions, 'onQueued'> = {}): Promise<T> {
    if (this.options.local) return this.options.local.runInLine(task, options);
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      task(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RenderTimeoutError(this.options.timeoutMs)), this.options.timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [, p] of this.pending) p.reject(new SharedStateUnavailableError('waiting for a render', 'the render queue was closed'));
    this.pending.clear();
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }

  /** Drops the connections without waiting for Redis (a connection that never opened cannot be closed politely). */
  private drop(): void {
    void this.queue.disconnect().catch(() => undefined);
    void this.events.disconnect().catch(() => undefined);
  }

  /** 1-based place among the waiting jobs (1 = next to be taken), or 0 when it is not waiting. */
  private async position(jobId: string): Promise<number> {
    const client = await this.queue.client;
    const key = this.queue.keys.wait!;
    // jobs are pushed on the left and taken from the right (a stalled job goes back on the right)
    const [index, length] = await Promise.all([client.lpos(key, jobId), client.llen(key)]);
    return index === null ? 0 : length - index;
  }

  private async checkFinished(jobId: string): Promise<void> {
    const job = await Job.fromId<RenderJobData, RenderJobResult>(this.queue, jobId);
    if (!job) return;
    if (job.finishedOn && job.returnvalue) this.finish(jobId, job.returnvalue);
    else if (job.finishedOn && job.failedReason) this.fail(jobId, job.failedReason);
  }

  private finish(jobId: string, returnvalue: unknown): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    this.pending.delete(jobId);
    if (typeof returnvalue !== 'string' || returnvalue === '') {
      p.reject(new Error('the render worker returned no PNG'));
      return;
    }
    p.resolve(Buffer.from(returnvalue, 'base64'));
  }

  private fail(jobId: string, reason: string): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    this.pending.delete(jobId);
    p.reject(new Error(`the render worker failed: ${reason}`));
  }

  private redisCall<T>(what: string, work: Promise<T>): Promise<T> {
    return withDeadline(what, this.commandTimeoutMs, work).catch((err: unknown) => {
      if (err instanceof SharedStateUnavailableError) throw err;
      throw new SharedStateUnavailableError(what, (err as Error).message);
    });
  }

  private warn(message: string, err: Error): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 30_000) return;
    this.lastWarnAt = now;
    this.options.log.warn({ err: { message: err.message } }, message);
  }
}
