/**
 * The shared state (Redis: rate limits and the per-user one-at-a-time rule of every bot process) could not
 * be reached or did not answer in time. Nothing was done; the front end answers "busy, try again". The
 * message names what failed, never the server's URL or password.
 */
export class SharedStateUnavailableError extends Error {
  override name = 'SharedStateUnavailableError';
  constructor(what: string, detail?: string) {
    super(`the shared state (Redis) is unavailable: ${what}${detail ? ` (${detail})` : ''}`);
  }
}

/** REDIS_URL is set but no connection could be made at start-up (one line for stderr, no secret in it). */
export class SharedStateOpenError extends Error {
  override name = 'SharedStateOpenError';
}
