import type { Logger } from 'pino';
import type { RateLimiter } from '../bot/rate-limit.js';
import { RedisConnection } from './redis.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { RedisUserLock } from './redis-user-lock.js';
import type { UserLock } from './user-lock.js';

export { SharedStateOpenError, SharedStateUnavailableError } from './errors.js';
export { InMemoryUserLock, type UserLock } from './user-lock.js';
export { redactRedisUrl } from './redis.js';

/** What the bot processes share through Redis (REDIS_URL): the per-user rate limit and one-at-a-time rule. */
export interface SharedState {
  limiter: RateLimiter;
  userLock: UserLock;
  /** The URL with its password replaced (logs). */
  target: string;
  close(): Promise<void>;
}

export interface SharedStateOptions {
  url: string;
  /** RATE_LIMIT_PER_MINUTE. */
  perMinute: number;
  log: Logger;
  /** Key prefix, so that several bots can share one Redis (default 'tellaface:'). */
  prefix?: string;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** How long a crashed process's turn blocks its users at most (default 15 s). */
  lockTtlMs?: number;
  /** The rate limit's window in whole seconds (default 60). */
  windowSeconds?: number;
  maxReconnectDelayMs?: number;
}

/**
 * Connects to Redis and returns the shared rate limiter and per-user lock. Throws SharedStateOpenError
 * (one line, no password) when Redis cannot be reached within connectTimeoutMs.
 */
export async function openSharedState(options: SharedStateOptions): Promise<SharedState> {
  const { url, log, connectTimeoutMs, commandTimeoutMs, maxReconnectDelayMs } = options;
  const redis = await RedisConnection.open({ url, log, connectTimeoutMs, commandTimeoutMs, maxReconnectDelayMs });
  const prefix = options.prefix ?? 'tellaface:';
  return {
    limiter: new RedisRateLimiter(redis, { perMinute: options.perMinute, prefix, windowSeconds: options.windowSeconds }),
    userLock: new RedisUserLock(redis, { log, prefix, ttlMs: options.lockTtlMs }),
    target: redis.target,
    close: () => redis.close(),
  };
}
