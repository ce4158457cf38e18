import { afterEach, describe, expect, it } from 'vitest';
import { createTestBot, type TestBot } from './helpers/discord-harness.js';
import { botMessagePayload, gateway, userMessagePayload } from './helpers/discord-gateway.js';
import { discordIds } from './helpers/discord-ids.js';
import { isPng } from './helpers/discord-rest.js';

let bot: TestBot;
afterEach(async () => {
  await bot.client.destroy();
});

/** A face the bot posted earlier (e.g. before a restart): only the store knows it. */
async function postedFace(b: TestBot, messageId = '1700000000000000007') {
  await b.engine.describe({ userId: discordIds.user }, 'older');
  await b.store.linkMessage(messageId, 'face-1');
  b.engine.calls.length = 0;
  return messageId;
}

describe('reply to refine', () => {
  it('refines the replied-to face and answers with a reply (message_reference) carrying the PNG and buttons', async () => {
    bot = createTestBot();
    const faceMessageId = await postedFace(bot);
    const raw = userMessagePayload('make him younger', faceMessageId);
    gateway.messageCreate(bot.client, raw);
    await bot.idle();

    expect(bot.engine.calls).toEqual([{ method: 'refine', userId: discordIds.user, text: 'make him younger', faceId: 'face-1' }]);
    const [post] = bot.rest.find('POST', `/channels/${discordIds.channel}/messages`);
    expect(post?.authorization).toMatch(/^Bot /);
    expect(post?.json?.message_reference).toMatchObject({ message_id: raw.id });
    expect(isPng(post!.files[0]!.bytes)).toBe(true);
    expect(String(post?.json?.content)).toContain('younger ▲');
    const buttons = (post?.json?.components as { components: { custom_id: string }[] }[])[0]?.components;
    expect(buttons?.map((b) => b.custom_id)).toEqual(['face:reroll:face-2', 'face:undo:face-2']);
    // the new face message is linked too, so it can be replied to in turn
    expect([...bot.store.messages.values()]).toContain('face-2');
    expect((await bot.store.getFace('face-2'))?.parentId).toBe('face-1');
  });

  it('accepts a reply that @mentions the bot, stripping the mention', async () => {
    bot = createTestBot();
    const faceMessageId = await postedFace(bot);
    gateway.messageCreate(bot.client, userMessagePayload(`<@${discordIds.bot}> add glasses <@!${discordIds.bot}>`, faceMessageId));
    await bot.idle();
    expect(bot.engine.calls[0]).toMatchObject({ method: 'refine', text: 'add glasses', faceId: 'face-1' });
  });

  it('ignores bots, plain messages, and replies to messages that are not faces', async () => {
    bot = createTestBot();
    const faceMessageId = await postedFace(bot);
    gateway.messageCreate(bot.client, userMessagePayload('make him younger', faceMessageId, discordIds.otherUser, true));
    gateway.messageCreate(bot.client, userMessagePayload('make him younger'));
    gateway.messageCreate(bot.client, userMessagePayload('make him younger', '1700000000000000099'));
    await bot.idle();
    expect(bot.engine.calls).toEqual([]);
    expect(bot.rest.requests).toEqual([]);
  });

  it('asks for words when the reply has none (e.g. only a mention)', async () => {
    bot = createTestBot();
    const faceMessageId = await postedFace(bot);
    const raw = userMessagePayload(`<@${discordIds.bot}>`, faceMessageId);
    gateway.messageCreate(bot.client, raw);
    await bot.idle();
    expect(bot.engine.calls).toEqual([]);
    const [post] = bot.rest.find('POST', '/messages');
    expect(post?.json?.message_reference).toMatchObject({ message_id: raw.id });
    expect(String(post?.json?.content)).toContain('tell me what to change');
  });

  it('answers a text reply from the engine as a short reply', async () => {
    bot = createTestBot();
    const faceMessageId = await postedFace(bot);
    gateway.messageCreate(bot.client, userMessagePayload('xyzzy', faceMessageId));
    await bot.idle();
    const [post] = bot.rest.find('POST', '/messages');
    expect(post?.files).toEqual([]);
    expect(String(post?.json?.content)).toContain('did not understand');
  });
});

describe('reply to refine without the Message Content intent (MESSAGE_CONTENT=off, issue 13 item 7)', () => {
  it('a reply that mentions the bot still refines the face (Discord sends the text of mentions)', async () => {
    bot = createTestBot({ messageContent: false });
    const faceMessageId = await postedFace(bot);
    gateway.messageCreate(bot.client, userMessagePayload(`<@${discordIds.bot}> make him younger`, faceMessageId));
    await bot.idle();
    expect(bot.engine.calls).toEqual([{ method: 'refine', userId: discordIds.user, text: 'make him younger', faceId: 'face-1' }]);
    expect(bot.rest.find('POST', '/messages')[0]?.files).toHaveLength(1);
  });

  it('a reply that does not mention the bot arrives without text: the answer says to mention it or use /face refine', async () => {
    bot = createTestBot({ messageContent: false });
    const faceMessageId = await postedFace(bot);
    const raw = userMessagePayload('', faceMessageId); // what Discord delivers without the intent
    gateway.messageCreate(bot.client, raw);
    await bot.idle();
    expect(bot.engine.calls).toEqual([]);
    const [post] = bot.rest.find('POST', '/messages');
    expect(post?.json?.message_reference).toMatchObject({ message_id: raw.id });
    expect(String(post?.json?.content)).toContain('I can only read replies that mention me');
    expect(String(post?.json?.content)).toContain('/face refine');
  });

  it('with the intent, the same empty reply is only asked for words', async () => {
    bot = createTestBot({ messageContent: true });
    const faceMessageId = await postedFace(bot);
    gateway.messageCreate(bot.client, userMessagePayload('', faceMessageId));
    await bot.idle();
    expect(String(bot.rest.find('POST', '/messages')[0]?.json?.content)).toMatch(/^tell me what to change/);
  });
});

describe("a reply to someone else's face (issue 13 item 7)", () => {
  it("makes the replier their own copy; the owner's face and current face stay", async () => {
    bot = createTestBot();
    const faceMessageId = await postedFace(bot);
    gateway.messageCreate(bot.client, userMessagePayload('make him younger', faceMessageId, discordIds.otherUser));
    await bot.idle();
    expect(bot.engine.calls).toEqual([{ method: 'refine', userId: discordIds.otherUser, text: 'make him younger', faceId: 'face-1' }]);
    expect(await bot.store.getFace('face-2')).toMatchObject({ ownerId: discordIds.otherUser, parentId: 'face-1' });
    expect(await bot.store.getCurrentFaceId(discordIds.user)).toBe('face-1');
    expect(await bot.store.getCurrentFaceId(discordIds.otherUser)).toBe('face-2');
    expect((await bot.store.getFace('face-1'))?.ownerId).toBe(discordIds.user);
  });
});

describe('the face behind a message comes from the engine', () => {
  it('a failed look-up on a reply to the bot is answered, not met with silence', async () => {
    bot = createTestBot();
    const faceMessageId = await postedFace(bot);
    bot.engine.failNextLink = new Error('database is locked');
    const raw = { ...userMessagePayload('make him younger', faceMessageId), referenced_message: botMessagePayload(faceMessageId) };
    gateway.messageCreate(bot.client, raw);
    await bot.idle();
    expect(bot.engine.calls).toEqual([]);
    const [post] = bot.rest.find('POST', '/messages');
    expect(String(post?.json?.content)).toContain('something went wrong');
    expect(bot.logs.find((l) => /could not look up the face/.test(l.msg))).toMatchObject({ userId: discordIds.user, messageId: faceMessageId });
  });
});
