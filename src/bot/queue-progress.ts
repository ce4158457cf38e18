import { queueMessage } from './format/text.js';

/**
 * Turns the render queue's onQueued(position) calls into throttled edits ("rendering… 3rd in line").
 * At most one edit per interval, only when the position changed, never more than one edit in flight, and
 * none after stop(): stop() waits for an edit already sent so the final reply always lands last.
 */
export class QueueProgress {
  private lastSentAt = -Infinity;
  private lastSent: number | undefined;
  private pending: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly edit: (text: string) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
    private readonly intervalMs = 1500,
    private readonly now: () => number = Date.now,
  ) {}

  /** Pass as EngineContext.onQueued. */
  readonly onQueued = (position: number): void => {
    if (this.stopped || !Number.isFinite(position) || position < 1) return;
    this.pending = Math.floor(position);
    this.schedule();
  };

  private schedule(): void {
    if (this.timer || this.inFlight) return;
    const wait = this.lastSentAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
    this.timer.unref?.();
  }

  private flush(): void {
    const position = this.pending;
    this.pending = undefined;
    if (this.stopped || position === undefined || position === this.lastSent) return;
    this.lastSent = position;
    this.lastSentAt = this.now();
    this.inFlight = this.edit(queueMessage(position))
      .then(
        () => undefined,
        (err: unknown) => this.onError(err),
      )
      .finally(() => {
        this.inFlight = undefined;
        if (this.pending !== undefined) this.schedule();
      });
  }

  /** No more edits; resolves once an edit already sent has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }
}
