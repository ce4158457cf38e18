import fs from 'node:fs';
import path from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { BOT_PERMISSIONS, botPermissionBits, inviteUrl } from '../src/bot/invite.js';

/** Issue 27: the set-up guide gives the invite URL with the permissions as a number, the one the bot needs. */

const guide = fs.readFileSync(path.resolve(import.meta.dirname, '../docs/discord-setup.md'), 'utf8');

describe('the invite URL', () => {
  it('carries the sum of the permission flags the bot needs', () => {
    const expected = BOT_PERMISSIONS.map((n) => PermissionFlagsBits[n]).reduce((a, b) => a | b, 0n);
    expect(BigInt(botPermissionBits())).toBe(expected);
    expect(new URL(inviteUrl('123456789012345678')).searchParams.get('permissions')).toBe(expected.toString());
    expect(new URL(inviteUrl('123456789012345678')).searchParams.get('scope')).toBe('bot applications.commands');
  });

  it('is in docs/discord-setup.md with that number, not a placeholder', () => {
    const urls = guide.match(/https:\/\/discord\.com\/oauth2\/authorize\?\S+/g) ?? [];
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toContain(`permissions=${botPermissionBits()}`);
  });

  it('the guide lists each of those permissions by name', () => {
    const spoken: Record<(typeof BOT_PERMISSIONS)[number], string> = {
      ViewChannel: 'View Channels', SendMessages: 'Send Messages', SendMessagesInThreads: 'Send Messages in Threads',
      AttachFiles: 'Attach Files', EmbedLinks: 'Embed Links', ReadMessageHistory: 'Read Message History',
      AddReactions: 'Add Reactions', UseApplicationCommands: 'Use Application Commands',
    };
    for (const name of BOT_PERMISSIONS) expect(guide).toContain(`- ${spoken[name]}`);
  });
});
