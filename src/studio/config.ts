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
  /**
   * Host names the studio answers to besides localhost and IP addresses, comma-separated ("studio.lan,
   * box.example.org"): a request whose Host header is any other name is refused (DNS rebinding). Needed only
   * when the studio is reached by a name over the network (a non-loopback STUDIO_HOST).
   */
  STUDIO_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== ''))
    .pipe(z.array(z.string().regex(/^[a-z0-9.-]+$/, 'host names only (no port, no scheme), comma-separated'))),
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

/** An IP address literal (127.0.0.1, [::1], 192.168.1.5): a DNS-rebinding page cannot send one as its Host. */
export function isIpLiteral(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || (h.includes(':') && /^[0-9a-f:.]+$/i.test(h));
}

/**
 * Which Host names the studio answers to: localhost, IP addresses, the name it listens on and the allowed
 * names. A page on another name that resolves to this machine (DNS rebinding) is refused, whatever STUDIO_HOST.
 */
export function hostAllowed(studioHost: string, allowed: readonly string[]): (host: string) => boolean {
  const names = new Set([...allowed, studioHost.toLowerCase()]);
  return (host) => {
    const h = host.toLowerCase();
    return isLoopback(h) || isIpLiteral(h) || names.has(h);
  };
}

/** Whether a host name or address only reaches this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
