import { describe, expect, it } from 'vitest';
import { shardOptions } from '../src/bot/shard.js';

const TOKEN = `${'M'.repeat(24)}.${'G'.repeat(6)}.${'x'.repeat(38)}`;

describe('npm run shard options', () => {
  it('defaults to Discord\'s recommended shard count, or takes a number', () => {
    expect(shardOptions({ DISCORD_TOKEN: TOKEN })).toEqual({ token: TOKEN, totalShards: 'auto' });
    expect(shardOptions({ DISCORD_TOKEN: TOKEN, SHARD_COUNT: '4' })).toEqual({ token: TOKEN, totalShards: 4 });
  });

  it('refuses a missing or malformed token and a bad count, naming the variable and never echoing the token', () => {
    expect(() => shardOptions({})).toThrow(/DISCORD_TOKEN/);
    expect(() => shardOptions({ DISCORD_TOKEN: 'not-a-token-secret' })).toThrow(/does not look like a bot token/);
    try {
      shardOptions({ DISCORD_TOKEN: 'not-a-token-secret' });
    } catch (err) {
      expect(String(err)).not.toContain('not-a-token-secret');
    }
    expect(() => shardOptions({ DISCORD_TOKEN: TOKEN, SHARD_COUNT: '0' })).toThrow(/SHARD_COUNT/);
    expect(() => shardOptions({ DISCORD_TOKEN: TOKEN, SHARD_COUNT: 'many' })).toThrow(/SHARD_COUNT/);
  });
});
