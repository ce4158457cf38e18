import { Client, Events, GatewayCloseCodes, type RESTOptions } from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ConversationEngine } from '../conversation/types.js';
import { log as appLog } from '../log.js';
import { botClientOptions } from './client-options.js';
import { SlidingWindowLimiter, type RateLimiter } from './rate-limit.js';
import { BotStartError, GatewayClosedError, LoginTimeoutError, describeLoginError } from './start-errors.js';
import { bareToken, tokenProblem } from './token.js';
import { attachHandlers, type BotRuntime } from './wire.js';
import { errFields } from './log-error.js';

export { BotStartError } from './start-errors.js';

export interface BotHandle {
  client: Client<true>;
  runtime: BotRuntime;
  /** Graceful: stops taking work, lets running renders finish (bounded), disconnects. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Give up logging in after this long (default 20 s): no network means a clear failure, not a hang. */
  loginTimeoutMs?: number;
  /** How long stop() waits for running handlers (default 15 s). */
  drainTimeoutMs?: number;
  /** REST overrides (tests pass `makeRequest` to stay offline). */
  rest?: Partial<RESTOptions>;
  limiter?: RateLimiter;
  log?: Logger;
}

/** Close codes after which retrying cannot help: fail the start with an explanation. */
const FATAL_CLOSE_CODES = new Set<number>([
  GatewayCloseCodes.AuthenticationFailed,
  GatewayCloseCodes.DisallowedIntents,
  GatewayCloseCodes.InvalidIntents,
  GatewayCloseCodes.InvalidShard,
  GatewayCloseCodes.ShardingRequired,
  GatewayCloseCodes.InvalidAPIVersion,
]);

/**
 * Logs the bot in and wires the handlers. Throws BotStartError (one-line message, token never included)
 * when the token is missing or wrong, an intent is not enabled, or Discord cannot be reached in time.
 * Slash commands are NOT registered here: that is `npm run deploy-commands`.
 */
export async function startBot(
  config: Config,
  engine: ConversationEngine,
  options: StartOptions = {},
): Promise<BotHandle> {
  const log = options.log ?? appLog.child({ component: 'bot' });
  const problem = tokenProblem(config.DISCORD_TOKEN);
  if (problem || !config.DISCORD_TOKEN) throw new BotStartError(problem ?? 'DISCORD_TOKEN is not set');

  const messageContent = config.MESSAGE_CONTENT === 'on';
  const client = new Client(botClientOptions({ messageContent }, options.rest ? { rest: options.rest } : {}));
  const limiter = options.limiter ?? new SlidingWindowLimiter(config.RATE_LIMIT_PER_MINUTE);
  const runtime = attachHandlers(client, {
    engine, limiter, log, messageContent, gridDefault: config.GRID_DEFAULT === 'on', photoMaxBytes: Math.round(config.PHOTO_MAX_MB * 1024 * 1024),
  });
  watchConnection(client, log);

  try {
    await loginWithin(client, bareToken(config.DISCORD_TOKEN), options.loginTimeoutMs ?? 20_000);
  } catch (err) {
    runtime.close();
    await client.destroy().catch(() => undefined);
    throw new BotStartError(describeLoginError(err));
  }
  const ready = client as Client<true>;
  log.info({ bot: ready.user.tag, botId: ready.user.id, guilds: ready.guilds.cache.size, messageContent }, 'logged in to Discord');
  if (config.DISCORD_CLIENT_ID && config.DISCORD_CLIENT_ID !== ready.application.id) {
    log.warn({ clientId: config.DISCORD_CLIENT_ID, applicationId: ready.application.id },
      'DISCORD_CLIENT_ID is not this bot\'s application: /face may be registered for another app');
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      runtime.close();
      log.info({ inFlight: runtime.inFlight }, 'bot stopping: letting running renders finish');
      const drained = await settleWithin(runtime.idle(), options.drainTimeoutMs ?? 15_000);
      if (!drained) log.warn({ inFlight: runtime.inFlight }, 'gave up waiting for running renders');
      await client.destroy();
      log.info('bot disconnected');
    })());
  return { client: ready, runtime, stop };
}

function loginWithin(client: Client, token: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new LoginTimeoutError(timeoutMs)), timeoutMs);
    const onReady = () => done();
    const onDisconnect = (event: { code: number }) => {
      if (FATAL_CLOSE_CODES.has(event.code)) done(new GatewayClosedError(event.code));
    };
    function done(err?: unknown) {
      clearTimeout(timer);
      client.off(Events.ClientReady, onReady);
      client.off(Events.ShardDisconnect, onDisconnect);
      if (err) reject(err);
      else resolve();
    }
    client.once(Events.ClientReady, onReady);
    client.on(Events.ShardDisconnect, onDisconnect);
    // login() throws TokenInvalid for an empty token and on a 401 from /gateway/bot.
    client.login(token).catch(done);
  });
}

async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function watchConnection(client: Client, log: Logger): void {
  client.on(Events.Error, (err) => log.error({ err: errFields(err) }, 'discord client error'));
  client.on(Events.Warn, (message) => log.warn({ message }, 'discord client warning'));
  client.on(Events.ShardDisconnect, (event, shardId) => log.warn({ shardId, code: event.code }, 'gateway disconnected'));
  client.on(Events.ShardReconnecting, (shardId) => log.info({ shardId }, 'gateway reconnecting'));
  client.on(Events.ShardResume, (shardId, replayed) => log.info({ shardId, replayed }, 'gateway resumed'));
}
