/** Outcome of asking the limiter whether a user may act now. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/** Per-user limit on renders. An interface so that several bot processes can share one (e.g. Redis). */
export interface RateLimiter {
  /** Counts the attempt when allowed; a refused attempt is not counted. */
  take(userId: string): RateDecision;
}

/**
 * Sliding window: at most `perMinute` accepted actions in any 60 s window, per user.
 * Memory stays bounded: a user's timestamps are dropped once they fall out of the window.
 */
export class SlidingWindowLimiter implements RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly windowMs = 60_000,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError('perMinute must be a positive integer');
  }

  take(userId: string): RateDecision {
    const now = this.now();
    const recent = (this.hits.get(userId) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.perMinute) {
      this.hits.set(userId, recent);
      const oldest = recent[0] ?? now;
      return { ok: false, retryAfterMs: Math.max(1, oldest + this.windowMs - now) };
    }
    recent.push(now);
    this.hits.set(userId, recent);
    this.sweep(now);
    return { ok: true };
  }

  /** Drops users with no hit in the window (cheap, runs at most once a window). */
  private lastSweep = 0;
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [user, times] of this.hits) {
      if (times.every((t) => now - t >= this.windowMs)) this.hits.delete(user);
    }
  }
}

/** "slow down: try again in 12 s" */
export function slowDownMessage(retryAfterMs: number): string {
  return `slow down: try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`;
}
