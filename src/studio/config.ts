import { z } from 'zod';
import { ConfigError } from '../config.js';

/** The studio's own settings (the rest, MODELS_DIR, DATABASE_PATH, ..., are the app's: src/config.ts). */
export const StudioConfigSchema = z.object({
  /** Where the page is served: loopback only by default (the studio has no login). */
  STUDIO_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** 0 picks a free port. */
  STUDIO_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /**
   * Whose faces the studio works on. The chat's user by default, so `npm start` continues the studio's
   * face and the studio opens on the chat's.
   */
  STUDIO_USER: z.string().trim().min(1).max(64).default('console'),
});

export type StudioConfig = z.infer<typeof StudioConfigSchema>;

/** Validates the studio's variables; errors name each bad variable. */
export function loadStudioConfig(env: NodeJS.ProcessEnv = process.env): StudioConfig {
  const parsed = StudioConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** Whether a host name or address only reaches this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
