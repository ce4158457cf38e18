import pino from 'pino';

/**
 * One logger for the app: pretty in a terminal, JSON lines otherwise (containers, CI).
 * Secrets are redacted by key wherever they appear, and the bot never logs its token on purpose.
 */
const REDACT = [
  'token', '*.token', '*.*.token', 'DISCORD_TOKEN', '*.DISCORD_TOKEN', 'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization', 'config.DISCORD_TOKEN',
];

function createLogger(): pino.Logger {
  const level = process.env.LOG_LEVEL ?? 'info';
  const pretty = process.stderr.isTTY && process.env.NODE_ENV !== 'production';
  return pino({
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } } }
      : {}),
  }, pretty ? undefined : pino.destination(2));
}

export const log = createLogger();

/** Strips anything that looks like a Discord bot token from free text before it is logged or shown. */
export function scrubSecrets(text: string): string {
  return text.replace(/[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,40}/g, '[redacted token]');
}
