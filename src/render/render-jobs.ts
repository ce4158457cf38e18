/**
 * What the gateway processes and the render workers (`npm run render-worker`) agree on: the BullMQ queue's
 * name and key prefix, a job's data and result, and the retry settings.
 */

/** The BullMQ queue the gateways add render jobs to and the workers take them from. */
export const RENDER_QUEUE_NAME = 'render';

/** Key prefix in Redis (BullMQ's keys are `<prefix>:<queue>:…`), beside the shared state's `tellaface:` keys. */
export const RENDER_QUEUE_PREFIX = 'tellaface:bull';

/** One render job: a latent z and the PNG side. */
export interface RenderJobData {
  /** The latent (zDim numbers). */
  z: number[];
  /** PNG side in pixels. */
  size: number;
  /** Wall-clock ms (Date.now()) after which the gateway has given up: a worker skips the job instead of drawing it. */
  deadline: number;
}

/** The job's result: the PNG, base64. */
export type RenderJobResult = string;

/** Tries a job gets: a worker that throws or dies (a stalled job) while drawing it does not lose it. */
export const RENDER_JOB_ATTEMPTS = 2;

/**
 * Events kept in the queue's event stream. Each completed event carries a PNG (base64, ~4/3 of its bytes),
 * so the stream is kept short; a gateway that misses an event still finds the result in the job itself
 * (kept RENDER_KEEP_DONE_S seconds, at most RENDER_KEEP_DONE_COUNT jobs) when it looks at it.
 */
export const RENDER_EVENTS_MAX_LEN = 500;
export const RENDER_KEEP_DONE_S = 60;
export const RENDER_KEEP_DONE_COUNT = 500;

/** Checks a job's data from Redis before it reaches the generator; returns why it is unfit, if it is. */
export function renderJobProblem(data: unknown, zDim: number): string | undefined {
  const d = data as Partial<RenderJobData> | null;
  if (!d || !Array.isArray(d.z)) return 'the job has no latent z';
  if (d.z.length !== zDim) return `the job's z has ${d.z.length} numbers but the generator takes ${zDim}`;
  if (!d.z.every((v) => typeof v === 'number' && Number.isFinite(v))) return "the job's z holds a value that is not a finite number";
  if (!Number.isInteger(d.size) || (d.size as number) < 16 || (d.size as number) > 4096) return "the job's size is not a PNG side in pixels";
  return undefined;
}
