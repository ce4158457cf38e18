import { afterEach, describe, expect, it } from 'vitest';
import { QueueFullError, RenderTimeoutError } from '../src/conversation/errors.js';
import { createTestBot, type TestBot } from './helpers/discord-harness.js';
import { describePayload, gateway, reactionPayload, userMessagePayload } from './helpers/discord-gateway.js';
import { discordIds } from './helpers/discord-ids.js';

let bot: TestBot;
afterEach(async () => {
  await bot.client.destroy();
});

const FACE_MESSAGE = '1700000000000000007';

describe('rate limit', () => {
  it('answers the slash command ephemerally without deferring or calling the engine', async () => {
    let now = 1_000_000;
    bot = createTestBot({ perMinute: 2, now: () => now });
    for (let i = 0; i < 2; i++) gateway.interactionCreate(bot.client, describePayload('older'));
    await bot.idle();
    bot.rest.clear();
    now += 48_000; // 12 s left in the window of the first one

    const raw = describePayload('older');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.rest.summary()).toEqual([`POST /interactions/${raw.id}/${raw.token}/callback`]);
    const callback = bot.rest.requests[0]?.json as { type: number; data: { content: string; flags: number } };
    expect(callback.type).toBe(4); // ChannelMessageWithSource, not deferred
    expect(callback.data.flags).toBe(64); // ephemeral
    expect(callback.data.content).toBe('slow down: try again in 12 s');
    expect(bot.engine.calls).toHaveLength(2);
    expect(bot.logs.find((l) => l.msg === 'rate limited')).toMatchObject({ userId: discordIds.user, command: 'describe' });
  });

  it('limits per user: another user is not affected', async () => {
    bot = createTestBot({ perMinute: 1 });
    gateway.interactionCreate(bot.client, describePayload('older'));
    gateway.interactionCreate(bot.client, describePayload('older', discordIds.otherUser));
    await bot.idle();
    expect(bot.engine.calls.map((c) => c.userId)).toEqual([discordIds.user, discordIds.otherUser]);
  });

  it('answers a reply or a reaction with a short reply', async () => {
    bot = createTestBot({ perMinute: 1 });
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    await bot.store.linkMessage(FACE_MESSAGE, 'face-1');
    gateway.messageCreate(bot.client, userMessagePayload('make him younger', FACE_MESSAGE));
    await bot.idle();
    bot.rest.clear();

    const raw = userMessagePayload('add glasses', FACE_MESSAGE);
    gateway.messageCreate(bot.client, raw);
    gateway.reactionAdd(bot.client, reactionPayload('🎲', FACE_MESSAGE));
    await bot.idle();
    const posts = bot.rest.find('POST', '/messages');
    expect(posts).toHaveLength(2);
    expect(posts[0]?.json?.message_reference).toMatchObject({ message_id: raw.id });
    expect(String(posts[0]?.json?.content)).toMatch(/^slow down: try again in \d+ s$/);
    expect(posts[1]?.json?.message_reference).toMatchObject({ message_id: FACE_MESSAGE });
    expect(String(posts[1]?.json?.content)).toMatch(new RegExp(`^<@${discordIds.user}> slow down`));
    expect(posts[1]?.json?.allowed_mentions).toMatchObject({ parse: [], users: [discordIds.user] });
  });
});

describe('render queue errors', () => {
  it('QueueFullError: a clear private message, placeholder removed, logged with context', async () => {
    bot = createTestBot();
    bot.engine.failNext = new QueueFullError(64);
    const raw = describePayload('older');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.rest.summary()).toEqual([
      `POST /interactions/${raw.id}/${raw.token}/callback`,
      `POST /webhooks/${discordIds.app}/${raw.token}`,
      `DELETE /webhooks/${discordIds.app}/${raw.token}/messages/@original`,
    ]);
    expect(bot.rest.requests[1]?.json).toMatchObject({ content: '⏳ the queue is full, try again in a moment', flags: 64 });
    expect(bot.logs.find((l) => l.msg === 'engine call failed')).toMatchObject({
      userId: discordIds.user, command: 'describe', kind: 'queue-full',
    });
  });

  it('RenderTimeoutError on a reaction reroll: a reply that says so', async () => {
    bot = createTestBot();
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    await bot.store.linkMessage(FACE_MESSAGE, 'face-1');
    bot.engine.failNext = new RenderTimeoutError(20_000);
    gateway.reactionAdd(bot.client, reactionPayload('🎲', FACE_MESSAGE));
    await bot.idle();
    const [post] = bot.rest.find('POST', '/messages');
    expect(String(post?.json?.content)).toContain('rendering took too long');
    expect(bot.logs.find((l) => l.msg === 'engine call failed')).toMatchObject({
      userId: discordIds.user, command: 'reaction:reroll', faceId: 'face-1', kind: 'render-timeout',
    });
  });

  it('an unexpected engine error still answers the user', async () => {
    bot = createTestBot();
    bot.engine.failNext = new Error('onnx exploded');
    gateway.interactionCreate(bot.client, describePayload('older'));
    await bot.idle();
    expect(String(bot.rest.requests[1]?.json?.content)).toContain('something went wrong');
    expect(bot.logs.find((l) => l.msg === 'engine call failed')?.err).toMatchObject({ message: 'onnx exploded' });
  });
});

describe('Discord failures', () => {
  it('an interaction Discord no longer knows (10062) is logged, not thrown, and the engine is not called', async () => {
    bot = createTestBot();
    bot.rest.respond((req) =>
      req.path.endsWith('/callback') ? { status: 404, body: { message: 'Unknown interaction', code: 10062 } } : undefined,
    );
    gateway.interactionCreate(bot.client, describePayload('older'));
    await bot.idle();
    expect(bot.engine.calls).toEqual([]);
    expect(bot.logs.find((l) => /could not acknowledge/.test(l.msg))).toMatchObject({ userId: discordIds.user, command: 'describe' });
  });

  it('if posting the face fails, the user gets an ephemeral follow-up', async () => {
    bot = createTestBot();
    let failed = false;
    bot.rest.respond((req) => {
      if (req.method === 'PATCH' && req.files.length && !failed) {
        failed = true;
        return { status: 413, body: { message: 'Request entity too large', code: 40005 } };
      }
      return undefined;
    });
    gateway.interactionCreate(bot.client, describePayload('older'));
    await bot.idle();
    const followUp = bot.rest.find('POST', '/webhooks/')[0];
    expect(followUp?.json).toMatchObject({ flags: 64 });
    expect(String(followUp?.json?.content)).toContain('could not be posted');
    expect(bot.logs.find((l) => l.msg === 'could not post the face')).toMatchObject({ faceId: 'face-1' });
  });

  it('if the engine cannot link the posted face to its message, the user is told replies to it will not work', async () => {
    bot = createTestBot();
    bot.engine.failNextLink = new Error('database is locked');
    const raw = describePayload('older');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.rest.find('PATCH', '/messages/@original').at(-1)?.files).toHaveLength(1);
    const note = bot.rest.find('POST', `/webhooks/${discordIds.app}/${raw.token}`)[0];
    expect(note?.json).toMatchObject({ flags: 64, content: expect.stringContaining('could not be remembered') });
    expect(bot.logs.find((l) => /could not link/.test(l.msg))).toMatchObject({ faceId: 'face-1' });
  });

  it('if posting a face as a reply fails, a text reply is still tried', async () => {
    bot = createTestBot();
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    await bot.store.linkMessage(FACE_MESSAGE, 'face-1');
    bot.rest.respond((req) => (req.files.length ? { status: 413, body: { message: 'Request entity too large', code: 40005 } } : undefined));
    gateway.reactionAdd(bot.client, reactionPayload('🎲', FACE_MESSAGE));
    await bot.idle();
    const [, text] = bot.rest.find('POST', '/messages');
    expect(String(text?.json?.content)).toContain('could not be posted');
  });

  it('after close(), new interactions are told the bot is restarting', async () => {
    bot = createTestBot();
    bot.runtime.close();
    gateway.interactionCreate(bot.client, describePayload('older'));
    await bot.idle();
    expect(bot.engine.calls).toEqual([]);
    expect(bot.rest.requests[0]?.json).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringContaining('restarting') } });
  });
});
