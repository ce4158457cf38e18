import { scrubSecrets } from '../log.js';

/** Interaction tokens sit in webhook URLs; they are short-lived secrets, so they are cut from logs. */
function scrubUrl(url: string): string {
  return url.replace(/(\/(?:webhooks|interactions)\/\d+\/)[^/?]+/g, '$1[token]');
}

/**
 * An error as a small log object: name, message, Discord code/status/route and stack. Discord REST errors
 * carry the request (with the PNG bytes and the interaction token in the URL), which is left out.
 */
export function errFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: scrubSecrets(String(err)) };
  const e = err as Error & { code?: unknown; status?: unknown; method?: unknown; url?: unknown };
  const out: Record<string, unknown> = { name: e.name, message: scrubUrl(scrubSecrets(e.message)) };
  if (e.code !== undefined) out.code = e.code;
  if (typeof e.status === 'number') out.status = e.status;
  if (typeof e.method === 'string') out.method = e.method;
  if (typeof e.url === 'string') out.url = scrubUrl(e.url);
  if (e.stack) out.stack = scrubUrl(scrubSecrets(e.stack));
  return out;
}
