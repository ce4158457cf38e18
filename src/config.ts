import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TRUNCATION, TRUNCATION_MAX, TRUNCATION_MIN } from './latent/truncation.js';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const intFromEnv = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

/** postgres://… or postgresql://…, a URL as the pg client reads it (postgres://user@/db?host=/run/postgresql included). */
function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value) && (URL.canParse(value) || URL.canParse(value.replace('@/', '@placeholder/')));
}

/** redis://… or rediss://… with a host, and a database number if any path ("/abc" would kill the client at connect). */
function isRedisUrl(value: string): boolean {
  try {
    const { protocol, hostname, pathname } = new URL(value);
    return (protocol === 'redis:' || protocol === 'rediss:') && hostname !== '' && /^(\/\d{0,5})?$/.test(pathname);
  } catch {
    return false;
  }
}

export const ConfigSchema = z.object({
  DISCORD_TOKEN: optionalString,
  DISCORD_CLIENT_ID: optionalString.pipe(
    z.string().regex(/^\d{17,20}$/, 'must be the application id (17-20 digits)').optional(),
  ),
  GUILD_ID: optionalString.pipe(
    z.string().regex(/^\d{17,20}$/, 'must be a server id (17-20 digits)').optional(),
  ),
  DATABASE_PATH: z.string().trim().min(1).default('data/tellaface.db'),
  /** postgres://user:password@host:port/database: faces in PostgreSQL instead of the DATABASE_PATH file. */
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL (postgres://user:password@host:5432/database)')
      .optional(),
  ),
  MODELS_DIR: z.string().trim().min(1).default('models'),
  /** Where the local chat saves its pictures (npm start's --out-dir wins); the Docker image points it at its volume. */
  OUT_DIR: z.string().trim().min(1).default('out'),
  EXECUTION_PROVIDER: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  RENDER_SIZE: intFromEnv(256, 64, 1024),
  QUEUE_CAPACITY: intFromEnv(64, 1, 10_000),
  MAX_BATCH: intFromEnv(32, 1, 512),
  RENDER_TIMEOUT_MS: intFromEnv(20_000, 100, 600_000),
  RATE_LIMIT_PER_MINUTE: intFromEnv(6, 1, 1000),
  /** redis://[:password@]host:port[/db]: the bot's processes share the rate limit and per-user order (unset: in memory). */
  REDIS_URL: optionalString.pipe(
    z.string().refine(isRedisUrl, 'must be a redis:// or rediss:// URL: redis://[:password@]host:port[/database number]').optional(),
  ),
  /** local: renders run in this process (default); redis: as jobs in Redis, drawn by `npm run render-worker` processes. */
  RENDER_WORKERS: z.enum(['local', 'redis']).default('local'),
  MESSAGE_CONTENT: z.enum(['on', 'off']).default('off'),
  GRID_DEFAULT: z.enum(['on', 'off']).default('off'),
  TRUNCATION: z.coerce.number().min(TRUNCATION_MIN).max(TRUNCATION_MAX).default(DEFAULT_TRUNCATION),
  /** The largest photo file /face photo and /photo take, in MB (larger ones are refused before decoding). */
  PHOTO_MAX_MB: z.coerce.number().positive().max(50).default(8),
  /** The identity hold of refinements (docs/identity-hold.md): on when models/identity.onnx is there, unless off. */
  IDENTITY_HOLD: z.enum(['on', 'off']).default('on'),
  /** The hold's band on the identity distance (1 − cosine); unset: the network's strict threshold (FAR 1e-2) in models/identity.json. */
  IDENTITY_BAND: z.coerce.number().positive().max(2).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema> & { DATABASE_PATH: string; MODELS_DIR: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment. Errors name each bad variable but never echo a value (tokens are secret). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const c = parsed.data;
  if (c.RENDER_WORKERS === 'redis' && !c.REDIS_URL) {
    throw new ConfigError('invalid configuration:\n  RENDER_WORKERS: redis needs REDIS_URL (the render jobs go through Redis)');
  }
  return {
    ...c,
    DATABASE_PATH: path.resolve(c.DATABASE_PATH),
    MODELS_DIR: path.resolve(c.MODELS_DIR),
  };
}
