import { afterEach, describe, expect, it } from 'vitest';
import { createTestBot, type TestBot } from './helpers/discord-harness.js';
import { gateway, reactionPayload } from './helpers/discord-gateway.js';
import { discordIds } from './helpers/discord-ids.js';
import { isPng } from './helpers/discord-rest.js';

let bot: TestBot;
afterEach(async () => {
  await bot.client.destroy();
});

const FACE_MESSAGE = '1700000000000000007';

describe('react to reroll', () => {
  it.each(['🎲', '🔄'])('%s on an uncached face message rerolls that face and replies to it', async (emoji) => {
    bot = createTestBot();
    const original = await bot.engine.describe({ userId: discordIds.user }, 'older beard');
    if (original.kind !== 'face') throw new Error('setup');
    await bot.store.linkMessage(FACE_MESSAGE, original.face.id);
    bot.engine.calls.length = 0;

    const channel = bot.client.channels.cache.get(discordIds.channel);
    expect(channel && 'messages' in channel && channel.messages.cache.has(FACE_MESSAGE)).toBe(false);

    gateway.reactionAdd(bot.client, reactionPayload(emoji, FACE_MESSAGE, discordIds.otherUser));
    await bot.idle();

    expect(bot.engine.calls).toEqual([{ method: 'reroll', userId: discordIds.otherUser, faceId: original.face.id }]);
    const [post] = bot.rest.find('POST', `/channels/${discordIds.channel}/messages`);
    expect(post?.json?.message_reference).toMatchObject({ message_id: FACE_MESSAGE });
    expect(isPng(post!.files[0]!.bytes)).toBe(true);
    const rerolled = await bot.store.getFace('face-2');
    expect(rerolled?.edits).toEqual(original.face.edits); // same edits
    expect(rerolled?.seed).not.toBe(original.face.seed); // new seed
    expect(String(post?.json?.content)).toContain(`seed \`${rerolled?.seed}\``);
    expect([...bot.store.messages.values()]).toContain('face-2');
  });

  it('ignores other emoji, the bot itself, and messages that are not faces', async () => {
    bot = createTestBot();
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    await bot.store.linkMessage(FACE_MESSAGE, 'face-1');
    bot.engine.calls.length = 0;
    gateway.reactionAdd(bot.client, reactionPayload('👍', FACE_MESSAGE));
    gateway.reactionAdd(bot.client, reactionPayload('🎲', FACE_MESSAGE, discordIds.bot));
    gateway.reactionAdd(bot.client, reactionPayload('🎲', '1700000000000000099'));
    await bot.idle();
    expect(bot.engine.calls).toEqual([]);
    expect(bot.rest.requests).toEqual([]);
  });
});
