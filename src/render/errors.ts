/** Thrown when the render queue is at capacity; the caller should tell the user to try again soon. */
export class QueueFullError extends Error {
  constructor(readonly capacity: number) {
    super(`the render queue is full (${capacity} waiting); try again in a moment`);
    this.name = 'QueueFullError';
  }
}

/** Thrown when a render request waited or ran longer than its timeout. */
export class RenderTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`rendering took longer than ${timeoutMs < 10_000 ? (timeoutMs / 1000).toFixed(1) : Math.round(timeoutMs / 1000)} s and was given up`);
    this.name = 'RenderTimeoutError';
  }
}
