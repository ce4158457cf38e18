import type { ActionContext, BotDeps } from './deps.js';
import { errFields } from './log-error.js';
import { errorKind, userMessageForError } from './user-errors.js';

/** Outcome of asking the limiter whether a user may act now. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Per-user limit on renders. In memory by default (SlidingWindowLimiter: one process); with REDIS_URL,
 * every bot process shares one (src/shared-state/redis-rate-limiter.ts).
 */
export interface RateLimiter {
  /**
   * Counts the attempt when allowed; a refused attempt is not counted. Rejects (SharedStateUnavailableError)
   * when a shared limiter cannot be reached: the caller refuses the render with "busy, try again".
   */
  take(userId: string): Promise<RateDecision>;
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

  take(userId: string): Promise<RateDecision> {
    return Promise.resolve(this.takeNow(userId));
  }

  private takeNow(userId: string): RateDecision {
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

/**
 * Takes one render from the user's limit. Resolves undefined when allowed, else the text to answer with:
 * "slow down" when over the limit, "busy, try again" when a shared limiter (Redis) cannot be reached
 * (the render is refused, not let through uncounted). Either refusal is logged.
 */
export async function admitRender(deps: Pick<BotDeps, 'limiter' | 'log'>, ctx: ActionContext): Promise<string | undefined> {
  let decision: RateDecision;
  try {
    decision = await deps.limiter.take(ctx.userId);
  } catch (err) {
    deps.log.error({ ...ctx, err: errFields(err), kind: errorKind(err) }, 'could not check the rate limit, so the request was refused');
    return userMessageForError(err);
  }
  if (decision.ok) return undefined;
  deps.log.info({ ...ctx, retryAfterMs: decision.retryAfterMs }, 'rate limited');
  return slowDownMessage(decision.retryAfterMs);
}
