/** Fixed snowflakes for offline Discord tests (real-looking 18-19 digit ids). */
export const discordIds = {
  app: '1100000000000000001',
  bot: '1100000000000000001',
  guild: '1200000000000000002',
  channel: '1300000000000000003',
  user: '1400000000000000004',
  otherUser: '1400000000000000005',
} as const;

let next = 1_500_000_000_000_000_000n;

/** A fresh, increasing snowflake. */
export function snowflake(): string {
  next += 1n;
  return next.toString();
}

/** A token-shaped string that is not a real token. */
export const FAKE_TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB';

/** The fields every raw message payload carries that the tests never vary. */
export function rawMessageDefaults() {
  return {
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    embeds: [],
    pinned: false,
    flags: 0,
  };
}
