import { log } from '../log.js';
import type { Generator, ImageBatch } from './generator.js';
import { encodePng } from './png.js';
import { QueueFullError, RenderTimeoutError, type FaceRenderer, type RenderOptions } from './types.js';

export interface QueueOptions {
  /** Most requests waiting at once; one more is refused with QueueFullError. */
  capacity: number;
  /** Most latents run through the generator in one ONNX call. */
  maxBatch: number;
  /** A request that has not finished this long after it was queued fails with RenderTimeoutError. */
  timeoutMs: number;
  /** Default PNG size. */
  size: number;
}

interface Job {
  /** A latent to draw (batched with others), or a task that runs alone between batches (runInLine). */
  z?: Float32Array;
  task?: () => Promise<unknown>;
  size: number;
  onQueued?: (position: number) => void;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  settled: boolean;
}

/**
 * One bounded in-process render queue. Requests that arrive while the generator is busy (or in the same
 * tick) are run together as one batch; waiting requests hear their position in line.
 */
export class RenderQueue implements FaceRenderer {
  private readonly waiting: Job[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly generator: Pick<Generator, 'generate' | 'zDim'>,
    private readonly options: QueueOptions,
  ) {}

  get zDim(): number {
    return this.generator.zDim;
  }

  /** Requests waiting (not counting the batch that is running). */
  get depth(): number {
    return this.waiting.length;
  }

  renderPng(z: Float32Array, options: RenderOptions = {}): Promise<Buffer> {
    return this.enqueue<Buffer>({ z, size: options.size ?? this.options.size, onQueued: options.onQueued });
  }

  runInLine<T>(task: () => Promise<T>, options: Pick<RenderOptions, 'onQueued'> = {}): Promise<T> {
    return this.enqueue<T>({ task, size: 0, onQueued: options.onQueued });
  }

  private enqueue<T>(request: Pick<Job, 'z' | 'task' | 'size' | 'onQueued'>): Promise<T> {
    if (this.waiting.length >= this.options.capacity) {
      return Promise.reject(new QueueFullError(this.options.capacity));
    }
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        ...request,
        resolve: resolve as (value: unknown) => void,
        reject,
        settled: false,
        timer: setTimeout(() => this.expire(job), this.options.timeoutMs),
      };
      this.waiting.push(job);
      if (this.running) this.notify(job, this.waiting.length);
      this.schedule();
    });
  }

  private expire(job: Job): void {
    const i = this.waiting.indexOf(job);
    if (i >= 0) this.waiting.splice(i, 1);
    this.settle(job, undefined, new RenderTimeoutError(this.options.timeoutMs));
  }

  private settle(job: Job, value?: unknown, err?: Error): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    if (err) job.reject(err);
    else job.resolve(value);
  }

  private notify(job: Job, position: number): void {
    try {
      job.onQueued?.(position);
    } catch (err) {
      log.warn({ err }, 'queue position callback failed');
    }
  }

  private schedule(): void {
    if (this.running || this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.runBatch();
    });
  }

  /** What runs next: a task alone, or the renders before the first task (at most maxBatch). */
  private nextRun(): Job[] {
    if (this.waiting[0]?.task) return this.waiting.splice(0, 1);
    const untilTask = this.waiting.findIndex((j) => j.task);
    return this.waiting.splice(0, Math.min(this.options.maxBatch, untilTask < 0 ? this.waiting.length : untilTask));
  }

  private async runBatch(): Promise<void> {
    if (this.running || this.waiting.length === 0) return;
    this.running = true;
    const jobs = this.nextRun();
    this.waiting.forEach((job, i) => this.notify(job, i + 1));
    const task = jobs[0]?.task;
    try {
      if (task) {
        this.settle(jobs[0]!, await task());
        return;
      }
      const batch: ImageBatch = await this.generator.generate(jobs.map((j) => j.z!));
      await Promise.all(
        jobs.map(async (job, i) => {
          if (job.settled) return;
          try {
            this.settle(job, await encodePng(batch, i, job.size));
          } catch (err) {
            this.settle(job, undefined, err as Error);
          }
        }),
      );
    } catch (err) {
      if (!task) log.error({ err, batch: jobs.length }, 'generator run failed');
      for (const job of jobs) this.settle(job, undefined, err as Error);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
