import type { Logger } from 'pino';
import { createClient } from 'redis';
import { SharedStateOpenError, SharedStateUnavailableError } from './errors.js';

/** The node-redis client the shared state talks through. */
export type RedisClient = ReturnType<typeof createClient>;

/**
 * A REDIS_URL fit for a log line: the password (and anything after the host that could carry one) is
 * replaced. Never throws; an unparseable URL is not echoed.
 */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

/** Removes the URL's password (raw and percent-decoded) wherever it appears in free text. */
export function secretScrubber(url: string): (text: string) => string {
  let secrets: string[] = [];
  try {
    const u = new URL(url);
    if (u.password) secrets = [...new Set([u.password, decodeURIComponent(u.password)])].filter((s) => s.length > 0);
  } catch {
    secrets = [url];
  }
  return (text) => secrets.reduce((t, s) => t.split(s).join('***'), text);
}

export interface RedisConnectionOptions {
  url: string;
  log: Logger;
  /** Give up connecting at start-up after this long (default 5 s). */
  connectTimeoutMs?: number;
  /** Deadline of one Redis call (default 2 s); a call past it is answered "busy, try again". */
  commandTimeoutMs?: number;
  /** Longest pause between two reconnection attempts (default 1 s). */
  maxReconnectDelayMs?: number;
}

/**
 * One connection to Redis for everything the bot processes share. Commands are never queued while the
 * connection is down (they fail at once: the user hears "busy, try again", the log says why); the client
 * reconnects by itself and logs losing and regaining the server, each once. No log line carries the
 * URL's password.
 */
export class RedisConnection {
  /** The URL with its password replaced: safe for logs and error messages. */
  readonly target: string;
  private readonly scrub: (text: string) => string;
  private readonly commandTimeoutMs: number;
  private state: 'connecting' | 'ready' | 'down' | 'closed' = 'connecting';
  private lastWarnAt = 0;
  private lastError = '';

  private constructor(
    readonly client: RedisClient,
    url: string,
    private readonly log: Logger,
    commandTimeoutMs: number,
  ) {
    this.target = redactRedisUrl(url);
    this.scrub = secretScrubber(url);
    this.commandTimeoutMs = commandTimeoutMs;
    client.on('error', (err: unknown) => this.onError(err));
    client.on('ready', () => {
      if (this.state === 'down') this.log.info({ redis: this.target }, 'reconnected to Redis');
      this.state = 'ready';
    });
  }

  /** Connects, or throws SharedStateOpenError (one line, no password) when Redis cannot be reached in time. */
  static async open(options: RedisConnectionOptions): Promise<RedisConnection> {
    const maxDelay = options.maxReconnectDelayMs ?? 1000;
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    const client = createClient({
      url: options.url,
      // a command while the connection is down fails at once (the user hears "busy"), never waits in a queue
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.min(timeoutMs, 3000),
        reconnectStrategy: (retries: number) => Math.min(50 * (retries + 1), maxDelay),
      },
    });
    // 2 s: the load and fault run (scripts/load-fault.ts) answered 25–67 of 200 users "busy" with no fault at
    // 1 s, because a gateway's event loop stalls up to 1.8 s under a burst; 0–10 at 2 s. The rate-limit check
    // runs before a slash command is acknowledged (Discord allows 3 s), so a frozen Redis leaves ~1 s for that.
    const conn = new RedisConnection(client, options.url, options.log, options.commandTimeoutMs ?? 2000);
    const connecting = client.connect();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        // a server that wants a password accepts the connection and refuses the first command: ask one
        connecting.then(() => client.ping()),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      connecting.catch(() => undefined);
      conn.state = 'closed';
      if (client.isOpen) client.destroy();
      const why = conn.lastError || conn.describe(err);
      throw new SharedStateOpenError(`cannot connect to Redis at ${conn.target} (REDIS_URL): ${why}`);
    } finally {
      clearTimeout(timer);
    }
    conn.state = 'ready';
    options.log.info({ redis: conn.target }, 'connected to Redis');
    return conn;
  }

  /**
   * One Redis call with a deadline. Any failure (offline, refused, timed out, an error reply) becomes a
   * SharedStateUnavailableError naming `what`, with the cause's message scrubbed of the password.
   */
  async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(work),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new SharedStateUnavailableError(what, `Redis did not answer within ${this.commandTimeoutMs} ms`)),
            this.commandTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      if (err instanceof SharedStateUnavailableError) throw err;
      throw new SharedStateUnavailableError(what, this.describe(err));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the connection (pending calls finish first when it is up). Idempotent. */
  async close(): Promise<void> {
    this.state = 'closed';
    if (!this.client.isOpen) return;
    try {
      if (this.client.isReady) await this.client.close();
      else this.client.destroy();
    } catch {
      if (this.client.isOpen) this.client.destroy();
    }
  }

  private describe(err: unknown): string {
    const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
    return this.scrub(text);
  }

  private onError(err: unknown): void {
    if (this.state === 'closed') return;
    const message = this.describe(err);
    this.lastError = message;
    const fields = { redis: this.target, err: { message } };
    const now = Date.now();
    if (this.state === 'ready') {
      this.state = 'down';
      this.lastWarnAt = now;
      this.log.error(fields, 'lost the connection to Redis, reconnecting: until it is back, users are told the bot is busy');
    } else if (now - this.lastWarnAt >= 30_000) {
      this.lastWarnAt = now;
      this.log.warn(fields, this.state === 'down' ? 'still cannot reach Redis, retrying' : 'cannot reach Redis yet, retrying');
    }
  }
}
