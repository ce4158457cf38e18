import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RedisConnection } from './redis.js';
import type { UserLock } from './user-lock.js';

/*
 * A fair queue per user in Redis, shared by every process:
 *   <prefix>lock:{user}:queue  sorted set, request token -> arrival number (INCR of :seq): the order of turns
 *   <prefix>lock:{user}:alive  sorted set, request token -> time (Redis clock, ms) until which it counts as alive
 * The first token in the queue holds the user's turn. Waiters poll (which also keeps them alive); the holder
 * renews every ttl/3. A token whose process died stops being renewed: once its time passes, the next poll
 * drops it, so a crashed holder blocks the user for at most one TTL. The keys expire when nobody touches them.
 * `{user}` is a hash tag: one user's keys sit in one cluster slot.
 */

/** Joins the queue if not in it, stays alive, drops dead heads; 1 when it is this token's turn, else 0. */
const TURN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), ARGV[1])
end
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl * 3) end
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if head == ARGV[1] then return 1 end
  local alive = tonumber(redis.call('ZSCORE', KEYS[2], head) or '0')
  if alive > now then return 0 end
  redis.call('ZREM', KEYS[1], head)
  redis.call('ZREM', KEYS[2], head)
end
`;

/** The holder stays alive; 0 when its token was dropped meanwhile (it was silent for longer than the TTL). */
const RENEW = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local t = redis.call('TIME')
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl, ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl * 3) end
return 1
`;

const LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

export interface RedisUserLockOptions {
  log: Logger;
  /** Key prefix (default 'tellaface:'). */
  prefix?: string;
  /** How long a silent holder or waiter keeps its place (default 15 s): a crashed process blocks its users this long at most. */
  ttlMs?: number;
  /** Longest pause between two looks at the queue while waiting (default 100 ms; the first is 10 ms). */
  maxPollMs?: number;
}

/**
 * The per-user one-at-a-time rule shared through Redis: requests of one user run one after another across
 * every process, in the order they reached Redis (so two quick refines both apply); different users run
 * side by side. When Redis cannot be reached the request is not run and SharedStateUnavailableError is
 * thrown (the bot answers "busy, try again").
 */
export class RedisUserLock implements UserLock {
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly maxPollMs: number;
  private readonly log: Logger;

  constructor(private readonly redis: RedisConnection, options: RedisUserLockOptions) {
    this.prefix = options.prefix ?? 'tellaface:';
    this.ttlMs = options.ttlMs ?? 15_000;
    this.maxPollMs = options.maxPollMs ?? 100;
    this.log = options.log;
    if (!Number.isInteger(this.ttlMs) || this.ttlMs < 300) throw new RangeError('ttlMs must be an integer of at least 300');
  }

  async run<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const keys = this.keysFor(userId);
    const token = randomUUID();
    try {
      await this.waitForTurn(keys, token);
    } catch (err) {
      // best effort: a token left behind expires after one TTL anyway
      void this.leave(keys, token).catch(() => undefined);
      throw err;
    }
    const renewal = this.keepAlive(keys, token, userId);
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      try {
        await this.leave(keys, token);
      } catch (err) {
        this.log.warn({ userId, err: { message: (err as Error).message } },
          'could not release the per-user turn in Redis; the user waits for it to expire (at most the TTL)');
      }
    }
  }

  private keysFor(userId: string): string[] {
    const base = `${this.prefix}lock:{${userId}}`;
    return [`${base}:queue`, `${base}:alive`, `${base}:seq`];
  }

  private async waitForTurn(keys: string[], token: string): Promise<void> {
    let pause = 10;
    for (;;) {
      const turn = await this.redis.call('waiting for the user\'s turn', () =>
        this.redis.client.eval(TURN, { keys, arguments: [token, String(this.ttlMs)] }));
      if (Number(turn) === 1) return;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(this.maxPollMs, Math.ceil(pause * 1.5));
    }
  }

  private keepAlive(keys: string[], token: string, userId: string): NodeJS.Timeout {
    let warned = false;
    const timer = setInterval(() => {
      this.redis
        .call('renewing the user\'s turn', () => this.redis.client.eval(RENEW, { keys, arguments: [token, String(this.ttlMs)] }))
        .then((kept) => {
          if (Number(kept) !== 1 && !warned) {
            warned = true;
            this.log.warn({ userId }, 'the per-user turn expired while its request still ran: another request of this user may run alongside it');
          }
        })
        .catch((err: unknown) => {
          if (warned) return;
          warned = true;
          this.log.warn({ userId, err: { message: (err as Error).message } },
            'could not renew the per-user turn in Redis; it expires after the TTL if Redis stays away');
        });
    }, Math.max(100, Math.floor(this.ttlMs / 3)));
    timer.unref();
    return timer;
  }

  private leave(keys: string[], token: string): Promise<unknown> {
    return this.redis.call('releasing the user\'s turn', () =>
      this.redis.client.eval(LEAVE, { keys: keys.slice(0, 2), arguments: [token] }));
  }
}
