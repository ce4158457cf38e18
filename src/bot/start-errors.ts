import { DiscordAPIError, DiscordjsErrorCodes, GatewayCloseCodes } from 'discord.js';
import { scrubSecrets } from '../log.js';

/** A startup failure the operator can fix; `message` is one line, fit to print before exiting non-zero. */
export class BotStartError extends Error {
  override name = 'BotStartError';
}

export class LoginTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`login timed out after ${timeoutMs} ms`);
  }
}

/** A gateway close code that will not get better by retrying, as an error. */
export class GatewayClosedError extends Error {
  constructor(readonly code: number) {
    super(`the gateway closed the connection (${code})`);
  }
}

const NETWORK_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'ABORT_ERR',
]);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code ?? (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Only Message Content is privileged among the bot's intents, and only asked for with MESSAGE_CONTENT=on. */
const DISALLOWED_INTENTS =
  'Discord refused the Message Content intent that MESSAGE_CONTENT=on asks for: set MESSAGE_CONTENT=off (replies ' +
  'must then mention the bot) or enable it in Developer Portal → Bot → Privileged Gateway Intents (see docs/discord-setup.md)';

/** Close code 4014, or the error discord.js raises for it ("Used disallowed intents"). */
function isDisallowedIntents(err: unknown): boolean {
  if (err instanceof GatewayClosedError) return err.code === GatewayCloseCodes.DisallowedIntents;
  return err instanceof Error && /disallowed intents/i.test(err.message);
}

/** Words a login failure as one line saying what to fix. */
export function describeLoginError(err: unknown): string {
  if (err instanceof LoginTimeoutError) {
    return `could not connect to Discord within ${Math.round(err.timeoutMs / 1000)} s: is the network up and discord.com reachable?`;
  }
  if (isDisallowedIntents(err)) return DISALLOWED_INTENTS;
  if (err instanceof GatewayClosedError) {
    if (err.code === GatewayCloseCodes.AuthenticationFailed) {
      return 'Discord rejected DISCORD_TOKEN: reset the token in Developer Portal → Bot and update .env';
    }
    return `Discord closed the connection (code ${err.code}) and it cannot be retried`;
  }
  if (errorCode(err) === DiscordjsErrorCodes.TokenInvalid || (err instanceof DiscordAPIError && err.status === 401)) {
    return 'Discord rejected DISCORD_TOKEN: reset the token in Developer Portal → Bot and update .env';
  }
  const code = errorCode(err);
  if (code && NETWORK_CODES.has(code)) return `could not reach Discord (${code}): is the network up?`;
  const message = err instanceof Error ? err.message : String(err);
  return `could not log in to Discord: ${scrubSecrets(message).split('\n')[0]}`;
}
