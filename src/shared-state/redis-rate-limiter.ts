import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateDecision, RateLimiter } from '../bot/rate-limit.js';
import type { RedisConnection } from './redis.js';

/**
 * The same sliding window as the in-memory SlidingWindowLimiter, kept in Redis so every process counts the
 * same renders: a sorted set of accepted times per user (Redis clock), at most `limit` of them younger than
 * the window; a refused attempt is not counted. It replaces rate-limiter-flexible's fixed-window script
 * (its `customIncrTtlLuaScript`, which must answer [consumed, ms before the next point frees up]); only
 * `consume` is used, as the key is a sorted set, not the counter its other methods expect.
 * ARGV: points to take, window in seconds, limit.
 */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local take = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) * 1000
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if count + take > limit then
  return {count + take, math.max(1, tonumber(oldest[2]) + window - now)}
end
for i = 1, take do
  redis.call('ZADD', KEYS[1], now, t[1] .. '.' .. t[2] .. '.' .. (count + i))
end
redis.call('PEXPIRE', KEYS[1], window)
local first = now
if count > 0 then first = tonumber(oldest[2]) end
return {count + take, first + window - now}
`;

export interface RedisRateLimiterOptions {
  /** Accepted renders per user in any window (RATE_LIMIT_PER_MINUTE). */
  perMinute: number;
  /** Key prefix (default 'tellaface:'). */
  prefix?: string;
  /** The window in whole seconds (default 60; tests shorten it). */
  windowSeconds?: number;
}

/**
 * Per-user rate limit shared by every bot process through Redis (rate-limiter-flexible's RateLimiterRedis
 * with a sliding-window script). When Redis cannot be reached, take() throws SharedStateUnavailableError:
 * the render is refused with "busy, try again", never let through uncounted.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(private readonly redis: RedisConnection, options: RedisRateLimiterOptions) {
    const { perMinute } = options;
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError('perMinute must be a positive integer');
    const windowSeconds = options.windowSeconds ?? 60;
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new RangeError('windowSeconds must be a positive integer');
    this.limiter = new RateLimiterRedis({
      storeClient: redis.client,
      useRedisPackage: true,
      rejectIfRedisNotReady: true,
      keyPrefix: `${options.prefix ?? 'tellaface:'}rate`,
      points: perMinute,
      duration: windowSeconds,
      customIncrTtlLuaScript: SLIDING_WINDOW,
    });
  }

  take(userId: string): Promise<RateDecision> {
    return this.redis.call('checking the rate limit', async (): Promise<RateDecision> => {
      try {
        await this.limiter.consume(userId, 1);
        return { ok: true };
      } catch (err) {
        if (err instanceof RateLimiterRes) return { ok: false, retryAfterMs: Math.max(1, err.msBeforeNext) };
        throw err;
      }
    });
  }
}
