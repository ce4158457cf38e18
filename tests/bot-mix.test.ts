import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFaceRef } from '../src/bot/face-ref.js';
import type { AnalogyOptions, ConversationEngine, EngineContext, EngineReply, MixOptions, MorphOptions } from '../src/conversation/types.js';
import type { FaceRecord } from '../src/face/record.js';
import { createTestBot, type TestBot } from './helpers/discord-harness.js';
import { FakeFaceEngine, TINY_PNG } from './helpers/discord-fake-engine.js';
import { botMessagePayload, describePayload, gateway, rawUser, slashPayload, userMessagePayload } from './helpers/discord-gateway.js';
import { discordIds } from './helpers/discord-ids.js';
import { isPng, type RecordedRequest } from './helpers/discord-rest.js';

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.client.destroy();
  bot = undefined;
});

/** Earlier faces (by default the asking user's own), with real-shaped ids (12 characters), as /face mix takes them. */
const OTHER_FACE = 'Xk3_abcdEF12';
const THIRD_FACE = 'Qm9-zyxwVU34';
/** A channel in the test server that only the owner may see (@everyone is denied). */
const SECRET_CHANNEL = '1300000000000000009';
const FACE_MESSAGE = '1700000000000000007';
const PLAIN_MESSAGE = '1700000000000000008';
const link = (channelId: string, messageId: string, guild: string = discordIds.guild) =>
  `https://discord.com/channels/${guild}/${channelId}/${messageId}`;

type Call =
  | { method: 'mix'; userId: string; options: MixOptions }
  | { method: 'analogy'; userId: string; options: AnalogyOptions }
  | { method: 'morph'; userId: string; text: string; options?: MorphOptions };

/**
 * The fake engine plus mix, analogy and morph stand-ins (the fake engine has none): each records its call;
 * mix and analogy save a new face and make it current, answering "same face" like the real engine.
 */
function withMix(b: TestBot): Call[] {
  const calls: Call[] = [];
  const engine = b.engine as FakeFaceEngine & ConversationEngine;
  let n = 0;
  const text = (reason: 'no-face' | 'nothing-changed', t: string): EngineReply => ({ kind: 'text', reason, text: t });
  const made = async (ctx: EngineContext, parentId: string, caption: string): Promise<EngineReply> => {
    const face: FaceRecord = {
      id: `mixed-${++n}`, ownerId: ctx.userId, seed: 5000 + n, edits: [], parentId, createdAt: Date.now(), model: 'fake', truncation: 1,
    };
    await b.store.saveFace(face);
    await b.store.setCurrentFaceId(ctx.userId, face.id);
    return { kind: 'face', face, png: TINY_PNG, altText: 'AI-generated face of a person who does not exist (tellaface)', caption, unknown: [], notes: [] };
  };
  engine.mix = async (ctx, options) => {
    calls.push({ method: 'mix', userId: ctx.userId, options });
    const base = await b.store.getCurrentFaceId(ctx.userId);
    if (!base) return text('no-face', 'You have no face to start from yet.');
    if (!(await b.store.getFace(options.otherFaceId))) return text('no-face', `I cannot find the face ${options.otherFaceId}.`);
    if (options.otherFaceId === base) return text('nothing-changed', 'That is the same face: mix it with another one.');
    return made(ctx, base, `mix: ${Math.round(100 * (options.weight ?? 0.5))}% face ${options.otherFaceId}`);
  };
  engine.analogy = async (ctx, options) => {
    calls.push({ method: 'analogy', userId: ctx.userId, options });
    const base = await b.store.getCurrentFaceId(ctx.userId);
    if (!base) return text('no-face', 'You have no face to start from yet.');
    return made(ctx, base, `analogy: the way face ${options.toFaceId} differs from face ${options.fromFaceId}`);
  };
  engine.morph = async (ctx, words, options) => {
    calls.push({ method: 'morph', userId: ctx.userId, text: words, ...(options ? { options } : {}) });
    return { kind: 'text', reason: 'info', text: 'morph stand-in' };
  };
  return calls;
}

async function otherFaces(b: TestBot, ownerId: string = discordIds.user): Promise<void> {
  for (const [id, seed] of [[OTHER_FACE, 77], [THIRD_FACE, 88]] as const) {
    await b.store.saveFace({ id, ownerId, seed, edits: [], parentId: null, createdAt: 0, model: 'fake', truncation: 1 });
  }
}

/** GET /channels/:id/messages/:id answers: `present` messages exist in `channelId`, any other is Unknown Message. */
function serveMessages(b: TestBot, channelId: string, present: string[]): void {
  b.rest.respond((req) => {
    const m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(req.path);
    if (req.method !== 'GET' || !m) return undefined;
    if (m[1] === channelId && present.includes(m[2]!)) return { status: 200, body: { ...botMessagePayload(m[2]!), channel_id: channelId } };
    return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
  });
}

/** GET /channels/SECRET_CHANNEL: a text channel in the test server where @everyone lacks `deny`. */
function serveSecretChannel(b: TestBot, deny: bigint = PermissionFlagsBits.ViewChannel): void {
  b.rest.respond((req) =>
    req.method === 'GET' && req.path === `/channels/${SECRET_CHANNEL}`
      ? {
          status: 200,
          body: {
            id: SECRET_CHANNEL, type: ChannelType.GuildText, guild_id: discordIds.guild, name: 'secret', position: 1, nsfw: false,
            permission_overwrites: [{ id: discordIds.guild, type: 0, allow: '0', deny: String(deny) }],
          },
        }
      : undefined,
  );
}

const mixPayload = (face: string, percent?: number, userId: string = discordIds.user) =>
  slashPayload(
    'mix',
    [
      { name: 'face', type: ApplicationCommandOptionType.String, value: face },
      ...(percent !== undefined ? [{ name: 'percent', type: ApplicationCommandOptionType.Integer, value: percent }] : []),
    ],
    userId,
  );

/** The ephemeral answer sent after the public deferral (a follow-up), and that nothing public was posted. */
function privateAnswer(b: TestBot): RecordedRequest | undefined {
  expect(b.rest.requests.filter((r) => r.files.length > 0)).toEqual([]);
  const follow = b.rest.find('POST', '/webhooks/')[0];
  expect(follow?.json?.flags).toBe(64);
  return follow;
}

describe('parseFaceRef', () => {
  it('takes face ids and message links, and nothing else', () => {
    expect(parseFaceRef(` ${OTHER_FACE} `)).toEqual({ kind: 'id', faceId: OTHER_FACE });
    expect(parseFaceRef(link(discordIds.channel, FACE_MESSAGE))).toEqual({
      kind: 'link', guildId: discordIds.guild, channelId: discordIds.channel, messageId: FACE_MESSAGE,
    });
    expect(parseFaceRef(`<https://canary.discordapp.com/channels/@me/${discordIds.channel}/${FACE_MESSAGE}>`)).toMatchObject({ kind: 'link', guildId: null });
    expect(parseFaceRef(`https://ptb.discord.com/channels/${discordIds.guild}/${discordIds.channel}/${FACE_MESSAGE}`)).toMatchObject({ kind: 'link' });
    for (const junk of ['', 'older', '-bcdefghijkl', 'Xk3_abcdEF123', `https://evil.com/channels/1/2/3`, `http://discord.com/channels/1/2/3`,
      `https://discord.com/channels/${discordIds.guild}/${discordIds.channel}`]) {
      expect(parseFaceRef(junk), junk).toBeUndefined();
    }
  });
});

describe('/face mix', () => {
  it('by face id: mixes the current face with it (50% by default), posts a public face message and links it', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    const raw = mixPayload(OTHER_FACE);
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();

    expect(calls).toEqual([{ method: 'mix', userId: discordIds.user, options: { otherFaceId: OTHER_FACE, weight: 0.5 } }]);
    expect(bot.rest.requests[0]?.json).toEqual({ type: 5, data: { flags: 0 } }); // public deferral
    const edit = bot.rest.find('PATCH', '/messages/@original')[0];
    expect(isPng(edit!.files[0]!.bytes)).toBe(true);
    expect(String(edit?.json?.content)).toContain('face `mixed-1`');
    const buttons = (edit?.json?.components as { components: { custom_id: string }[] }[])[0]?.components;
    expect(buttons?.map((b) => b.custom_id)).toEqual(['face:reroll:mixed-1', 'face:undo:mixed-1']);
    expect([...bot.store.messages.values()]).toEqual(['mixed-1']); // replies and 🎲 work on it
    expect(bot.logs.find((l) => l.msg === 'face posted')).toMatchObject({ command: 'mix', faceId: 'mixed-1' });
  });

  it('passes percent as the weight of that face', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    gateway.interactionCreate(bot.client, mixPayload(OTHER_FACE, 70));
    await bot.idle();
    expect(calls).toEqual([{ method: 'mix', userId: discordIds.user, options: { otherFaceId: OTHER_FACE, weight: 0.7 } }]);
  });

  it("someone else's face by bare id is refused privately (it may have been made in a DM or a private channel)", async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot, discordIds.otherUser);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    gateway.interactionCreate(bot.client, mixPayload(OTHER_FACE));
    await bot.idle();
    expect(calls).toEqual([]);
    expect(String(privateAnswer(bot)?.json?.content)).toMatch(/someone else's face.*link the message that shows it/);
    expect(bot.store.messages.size).toBe(0);
    expect(bot.logs.find((l) => l.msg === 'face id refused')).toMatchObject({ faceId: OTHER_FACE });
  });

  it("someone else's face by a link the user can read is used: the link is the permission check", async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot, discordIds.otherUser);
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE);
    serveMessages(bot, discordIds.channel, [FACE_MESSAGE]);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    gateway.interactionCreate(bot.client, mixPayload(link(discordIds.channel, FACE_MESSAGE)));
    await bot.idle();
    expect(calls).toEqual([{ method: 'mix', userId: discordIds.user, options: { otherFaceId: OTHER_FACE, weight: 0.5 } }]);
  });

  it('by link to a face message in a channel the user can read: mixes the face behind it', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE);
    serveMessages(bot, discordIds.channel, [FACE_MESSAGE]);
    await bot.engine.describe({ userId: discordIds.otherUser }, 'older');
    gateway.interactionCreate(bot.client, mixPayload(link(discordIds.channel, FACE_MESSAGE), 30, discordIds.otherUser));
    await bot.idle();
    expect(calls).toEqual([{ method: 'mix', userId: discordIds.otherUser, options: { otherFaceId: OTHER_FACE, weight: 0.3 } }]);
    expect(bot.rest.find('GET', `/channels/${discordIds.channel}/messages/${FACE_MESSAGE}`)).toHaveLength(1);
    expect(isPng(bot.rest.find('PATCH', '/messages/@original')[0]!.files[0]!.bytes)).toBe(true);
  });

  it('by link into a channel the user cannot see: refused privately, the engine is not called', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE);
    serveSecretChannel(bot);
    serveMessages(bot, SECRET_CHANNEL, [FACE_MESSAGE]);
    await bot.engine.describe({ userId: discordIds.otherUser }, 'older');
    gateway.interactionCreate(bot.client, mixPayload(link(SECRET_CHANNEL, FACE_MESSAGE), undefined, discordIds.otherUser));
    await bot.idle();

    expect(calls).toEqual([]);
    expect(String(privateAnswer(bot)?.json?.content)).toContain('You cannot read that channel');
    expect(bot.rest.find('DELETE', '/messages/@original')).toHaveLength(1); // the public "thinking…" goes
    expect(bot.rest.find('GET', `/channels/${SECRET_CHANNEL}/messages`)).toEqual([]); // not even looked at
    expect(bot.logs.find((l) => l.msg === 'face link refused')).toMatchObject({ userId: discordIds.otherUser, linkChannelId: SECRET_CHANNEL });
  });

  it('by link into a channel whose history the user cannot read: refused too', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE);
    serveSecretChannel(bot, PermissionFlagsBits.ReadMessageHistory);
    serveMessages(bot, SECRET_CHANNEL, [FACE_MESSAGE]);
    gateway.interactionCreate(bot.client, mixPayload(link(SECRET_CHANNEL, FACE_MESSAGE), undefined, discordIds.otherUser));
    await bot.idle();
    expect(calls).toEqual([]);
    expect(String(privateAnswer(bot)?.json?.content)).toContain('You cannot read that channel');
  });

  it('by link into a channel the bot cannot fetch: "I cannot see that channel"', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE);
    gateway.interactionCreate(bot.client, mixPayload(link('1300000000000000042', FACE_MESSAGE)));
    await bot.idle();
    expect(calls).toEqual([]);
    expect(String(privateAnswer(bot)?.json?.content)).toContain('I cannot see that channel');
  });

  it("by link into someone else's DM with the bot: refused", async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    const dm = '1300000000000000077';
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE);
    bot.rest.respond((req) =>
      req.method === 'GET' && req.path === `/channels/${dm}`
        ? { status: 200, body: { id: dm, type: ChannelType.DM, recipients: [rawUser(discordIds.otherUser)], last_message_id: null } }
        : undefined,
    );
    serveMessages(bot, dm, [FACE_MESSAGE]);
    gateway.interactionCreate(bot.client, mixPayload(`https://discord.com/channels/@me/${dm}/${FACE_MESSAGE}`));
    await bot.idle();
    expect(calls).toEqual([]);
    expect(String(privateAnswer(bot)?.json?.content)).toContain('You cannot read that channel');
    expect(bot.logs.find((l) => l.msg === 'face link refused')).toMatchObject({ why: "someone else's DM" });
  });

  it('a link to a message that is not a tellaface face is answered privately', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    serveMessages(bot, discordIds.channel, [PLAIN_MESSAGE]);
    gateway.interactionCreate(bot.client, mixPayload(link(discordIds.channel, PLAIN_MESSAGE)));
    await bot.idle();
    expect(calls).toEqual([]);
    expect(String(privateAnswer(bot)?.json?.content)).toMatch(/^That message is not a tellaface face: /);
  });

  it('a face message id under a readable channel it is not in is refused (the message must be there)', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE); // posted in some other channel
    serveMessages(bot, SECRET_CHANNEL, [FACE_MESSAGE]);
    gateway.interactionCreate(bot.client, mixPayload(link(discordIds.channel, FACE_MESSAGE)));
    await bot.idle();
    expect(calls).toEqual([]);
    expect(String(privateAnswer(bot)?.json?.content)).toContain('I cannot find that message');
  });

  it('junk (neither a face id nor a message link) is answered at once, privately, without using up the rate limit', async () => {
    bot = createTestBot({ perMinute: 1 });
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    const raw = mixPayload('the guy from yesterday');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(calls).toEqual([]);
    expect(bot.rest.summary()).toEqual([`POST /interactions/${raw.id}/${raw.token}/callback`]);
    expect(bot.rest.requests[0]?.json).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringContaining('is not a face I can find') } });
    expect(String((bot.rest.requests[0]?.json?.data as { content: string }).content)).toContain('the guy from yesterday');

    gateway.interactionCreate(bot.client, mixPayload(OTHER_FACE));
    await bot.idle();
    expect(calls).toHaveLength(1);
  });

  it("the engine's text answers (e.g. the same face) are given privately, not posted", async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.store.setCurrentFaceId(discordIds.user, OTHER_FACE);
    gateway.interactionCreate(bot.client, mixPayload(OTHER_FACE));
    await bot.idle();
    expect(calls).toHaveLength(1);
    expect(String(privateAnswer(bot)?.json?.content)).toContain('That is the same face');
    expect(bot.store.messages.size).toBe(0);
  });

  it('is rate limited like any render: answered privately at once, the engine not called', async () => {
    bot = createTestBot({ perMinute: 1 });
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    gateway.interactionCreate(bot.client, mixPayload(OTHER_FACE));
    await bot.idle();
    bot.rest.clear();
    const raw = mixPayload(THIRD_FACE);
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(calls).toHaveLength(1);
    expect(bot.rest.summary()).toEqual([`POST /interactions/${raw.id}/${raw.token}/callback`]);
    expect(bot.rest.requests[0]?.json).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringMatching(/^slow down/) } });
    expect(bot.logs.find((l) => l.msg === 'rate limited')).toMatchObject({ command: 'mix' });
  });
});

describe('/face analogy', () => {
  it('passes from, to and percent (as strength), and posts the face', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.store.linkMessage(FACE_MESSAGE, THIRD_FACE);
    serveMessages(bot, discordIds.channel, [FACE_MESSAGE]);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    gateway.interactionCreate(
      bot.client,
      slashPayload('analogy', [
        { name: 'from', type: ApplicationCommandOptionType.String, value: OTHER_FACE },
        { name: 'to', type: ApplicationCommandOptionType.String, value: link(discordIds.channel, FACE_MESSAGE) },
        { name: 'percent', type: ApplicationCommandOptionType.Integer, value: 150 },
      ]),
    );
    await bot.idle();
    expect(calls).toEqual([{ method: 'analogy', userId: discordIds.user, options: { fromFaceId: OTHER_FACE, toFaceId: THIRD_FACE, strength: 1.5 } }]);
    const edit = bot.rest.find('PATCH', '/messages/@original')[0];
    expect(isPng(edit!.files[0]!.bytes)).toBe(true);
    expect([...bot.store.messages.values()]).toContain('mixed-1');
  });

  it('defaults to all of the difference; junk in `to` is answered privately', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    const opts = (to: string) => [
      { name: 'from', type: ApplicationCommandOptionType.String, value: OTHER_FACE },
      { name: 'to', type: ApplicationCommandOptionType.String, value: to },
    ];
    gateway.interactionCreate(bot.client, slashPayload('analogy', opts('nonsense')));
    await bot.idle();
    expect(calls).toEqual([]);
    expect(bot.rest.requests[0]?.json).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringContaining('(`to`) is not a face') } });
    gateway.interactionCreate(bot.client, slashPayload('analogy', opts(THIRD_FACE)));
    await bot.idle();
    expect(calls).toEqual([{ method: 'analogy', userId: discordIds.user, options: { fromFaceId: OTHER_FACE, toFaceId: THIRD_FACE, strength: 1 } }]);
  });
});

describe('/face morph with a message link', () => {
  it('morphs into the face behind a readable link; an unreadable one is refused', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE);
    serveMessages(bot, discordIds.channel, [FACE_MESSAGE]);
    serveSecretChannel(bot);
    const morph = (text: string) => slashPayload('morph', [{ name: 'text', type: ApplicationCommandOptionType.String, value: text }], discordIds.otherUser);
    gateway.interactionCreate(bot.client, morph(link(discordIds.channel, FACE_MESSAGE)));
    await bot.idle();
    expect(calls).toEqual([{ method: 'morph', userId: discordIds.otherUser, text: '', options: { toFaceId: OTHER_FACE } }]);

    gateway.interactionCreate(bot.client, morph(link(SECRET_CHANNEL, FACE_MESSAGE)));
    gateway.interactionCreate(bot.client, morph('older'));
    await bot.idle();
    expect(calls.slice(1)).toEqual([{ method: 'morph', userId: discordIds.otherUser, text: 'older' }]);
    expect(bot.rest.find('POST', '/webhooks/').some((r) => String(r.json?.content).includes('You cannot read that channel'))).toBe(true);
  });
});

describe('a reply that asks for a mix', () => {
  it('mixes the current face with the replied face (weight from the words) and posts the face as a reply', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    bot.engine.calls.length = 0;
    const raw = userMessagePayload('mix my face with this one, 70% of this one', FACE_MESSAGE);
    gateway.messageCreate(bot.client, raw);
    await bot.idle();

    expect(calls).toEqual([{ method: 'mix', userId: discordIds.user, options: { otherFaceId: OTHER_FACE, weight: 0.7 } }]);
    expect(bot.engine.calls).toEqual([]); // not refined
    const [post] = bot.rest.find('POST', `/channels/${discordIds.channel}/messages`);
    expect(post?.json?.message_reference).toMatchObject({ message_id: raw.id });
    expect(isPng(post!.files[0]!.bytes)).toBe(true);
    expect([...bot.store.messages.values()]).toContain('mixed-1'); // the mixed face can be replied to in turn
  });

  it('"blend us, 30% mine" gives the replied face 70%; no share said: the engine default', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    gateway.messageCreate(bot.client, userMessagePayload(`<@${discordIds.bot}> blend us, 30% mine`, FACE_MESSAGE));
    await bot.idle();
    gateway.messageCreate(bot.client, userMessagePayload('mix with this', FACE_MESSAGE));
    await bot.idle();
    expect(calls.map((c) => c.options)).toEqual([{ otherFaceId: OTHER_FACE, weight: 0.7 }, { otherFaceId: OTHER_FACE }]);
  });

  it('a reply to your own current face: the engine\'s "same face" answer is replied', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    await bot.store.linkMessage(FACE_MESSAGE, 'face-1');
    gateway.messageCreate(bot.client, userMessagePayload('mix it', FACE_MESSAGE));
    await bot.idle();
    expect(calls).toEqual([{ method: 'mix', userId: discordIds.user, options: { otherFaceId: 'face-1' } }]);
    const [post] = bot.rest.find('POST', '/messages');
    expect(post?.files).toEqual([]);
    expect(String(post?.json?.content)).toContain('That is the same face');
  });

  it('a reply without mix words still refines the replied face', async () => {
    bot = createTestBot();
    const calls = withMix(bot);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    await bot.store.linkMessage(FACE_MESSAGE, 'face-1');
    bot.engine.calls.length = 0;
    gateway.messageCreate(bot.client, userMessagePayload('make him younger', FACE_MESSAGE));
    await bot.idle();
    expect(calls).toEqual([]);
    expect(bot.engine.calls).toEqual([{ method: 'refine', userId: discordIds.user, text: 'make him younger', faceId: 'face-1' }]);
  });

  it('without the Message Content intent a mix reply must mention the bot, as refines must', async () => {
    bot = createTestBot({ messageContent: false });
    const calls = withMix(bot);
    await otherFaces(bot);
    await bot.store.linkMessage(FACE_MESSAGE, OTHER_FACE);
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    gateway.messageCreate(bot.client, userMessagePayload('', FACE_MESSAGE)); // "mix with this" without a mention arrives empty
    await bot.idle();
    expect(calls).toEqual([]);
    expect(String(bot.rest.find('POST', '/messages')[0]?.json?.content)).toContain('I can only read replies that mention me');
    gateway.messageCreate(bot.client, userMessagePayload(`<@${discordIds.bot}> mix with this`, FACE_MESSAGE));
    await bot.idle();
    expect(calls).toHaveLength(1);
  });
});

describe('face messages show the face id', () => {
  it('next to the seed, so it can be mixed and morphed by id', async () => {
    bot = createTestBot();
    gateway.interactionCreate(bot.client, describePayload('older'));
    await bot.idle();
    expect(String(bot.rest.find('PATCH', '/messages/@original')[0]?.json?.content)).toContain('seed `1000` · face `face-1`');
  });
});
