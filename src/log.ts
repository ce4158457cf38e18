import pino from 'pino';

/**
 * One logger for the app: pretty in a terminal, JSON lines otherwise (containers, CI).
 * Secrets are redacted by key wherever they appear, and the bot never logs its token on purpose.
 */
const REDACT = [
  'token', '*.token', '*.*.token', 'DISCORD_TOKEN', '*.DISCORD_TOKEN', 'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization', 'config.DISCORD_TOKEN',
  // connection URLs may carry a password
  'DATABASE_URL', '*.DATABASE_URL', 'config.DATABASE_URL', 'REDIS_URL', '*.REDIS_URL', 'config.REDIS_URL',
];

/**
 * The level from LOG_LEVEL when it is one pino knows, else 'info': the logger exists before the config is
 * validated, and a bad value must reach that check (which names it) instead of crashing pino at import.
 */
export function levelFromEnv(value: string | undefined): pino.LevelWithSilent {
  const known: readonly string[] = [...Object.keys(pino.levels.values), 'silent'];
  return value !== undefined && known.includes(value) ? (value as pino.LevelWithSilent) : 'info';
}

function createLogger(): pino.Logger {
  const level = levelFromEnv(process.env.LOG_LEVEL);
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

/** A message for one line of stderr: secrets scrubbed, "heading:\n  a\n  b" as "heading: a; b". */
export function oneLine(message: string): string {
  return scrubSecrets(message).replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ');
}

/** Strips anything that looks like a Discord bot token from free text before it is logged or shown. */
export function scrubSecrets(text: string): string {
  return text.replace(/[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,40}/g, '[redacted token]');
}
