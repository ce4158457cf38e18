/**
 * A bot token is three base64url parts separated by dots (user id . timestamp . HMAC). Checking the shape
 * locally turns an obviously wrong value into a clear message before any network is touched.
 * The token itself is never echoed.
 */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/;

export function tokenProblem(token: string | undefined): string | undefined {
  if (!token) {
    return 'DISCORD_TOKEN is not set: create a bot token (Developer Portal → your app → Bot → Reset Token); see docs/discord-setup.md';
  }
  const bare = token.replace(/^(Bot|Bearer)\s+/i, '');
  if (!TOKEN_SHAPE.test(bare)) {
    return 'DISCORD_TOKEN does not look like a bot token (expected three dot-separated parts, copied from Developer Portal → Bot → Reset Token)';
  }
  return undefined;
}

export function bareToken(token: string): string {
  return token.replace(/^(Bot|Bearer)\s+/i, '');
}
