import fs from 'node:fs';
import { ApplicationCommandOptionType } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { attachmentBytes, imageAttachment } from '../src/bot/photo-upload.js';
import type { EngineContext, EngineReply, PhotoUpload } from '../src/conversation/types.js';
import { createTestBot, type TestBot } from './helpers/discord-harness.js';
import { gateway, rawUser, slashPayload, userMessagePayload } from './helpers/discord-gateway.js';
import { discordIds } from './helpers/discord-ids.js';
import { isPng } from './helpers/discord-rest.js';

const FACE = fs.readFileSync('tests/fixtures/photo/face.png');
let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.client.destroy();
  bot = undefined;
});

function photoPayload(size: number) {
  const raw = slashPayload('photo', [{ name: 'image', type: ApplicationCommandOptionType.Attachment, value: '1700000000000000001' }]);
  const attachment = { id: '1700000000000000001', filename: 'me.png', size, url: 'https://cdn.example/me.png', proxy_url: 'https://cdn.example/me.png', content_type: 'image/png' };
  return { ...raw, data: { ...raw.data, resolved: { attachments: { [attachment.id]: attachment } } } };
}

/** The test bot with a photo action that records what it got, and a downloader that records its calls. */
function photoBot(): { bot: TestBot; uploads: PhotoUpload[]; fetched: string[] } {
  const b = createTestBot();
  const uploads: PhotoUpload[] = [];
  const fetched: string[] = [];
  Object.assign(b.engine, {
    photo: async (ctx: EngineContext, upload: PhotoUpload): Promise<EngineReply> => {
      uploads.push(upload);
      return b.engine.describe(ctx, 'older');
    },
  });
  b.deps.fetchBytes = async (url) => {
    fetched.push(url);
    return FACE;
  };
  return { bot: b, uploads, fetched };
}

describe('/face photo', () => {
  it('downloads the attachment and hands its bytes to the engine; the face is posted publicly', async () => {
    const t = photoBot();
    bot = t.bot;
    gateway.interactionCreate(bot.client, photoPayload(FACE.length));
    await bot.idle();
    expect(t.fetched).toEqual(['https://cdn.example/me.png']);
    expect(t.uploads).toHaveLength(1);
    expect(t.uploads[0]!.bytes.equals(FACE)).toBe(true);
    expect(bot.rest.requests[0]?.json).toEqual({ type: 5, data: { flags: 0 } });
    expect(isPng(bot.rest.find('PATCH', '/messages/@original')[0]!.files[0]!.bytes)).toBe(true);
  });

  it('refuses a 30 MB attachment privately without downloading it, and stores nothing', async () => {
    const t = photoBot();
    bot = t.bot;
    gateway.interactionCreate(bot.client, photoPayload(30 * 1024 * 1024));
    await bot.idle();
    expect(t.fetched).toEqual([]);
    expect(t.uploads).toEqual([]);
    expect(bot.store.faces.size).toBe(0);
    const said = bot.rest.requests.map((r) => String(r.json?.content ?? '')).join('\n');
    expect(said).toMatch(/30(\.0)? MB; photos can be up to 8 MB/);
  });
});

describe('a photo sent to the bot', () => {
  const withImage = (mentionsBot: boolean) => ({
    ...userMessagePayload(mentionsBot ? `<@${discordIds.bot}> here is me` : 'here is me'),
    mentions: mentionsBot ? [rawUser(discordIds.bot, 'tellaface', true)] : [],
    attachments: [{ id: '1700000000000000009', filename: 'me.jpg', size: FACE.length, url: 'https://cdn.example/me.jpg', proxy_url: 'https://cdn.example/me.jpg', content_type: 'image/jpeg' }],
  });

  it('an image in a message that mentions the bot makes a face from it, answered as a reply', async () => {
    const t = photoBot();
    bot = t.bot;
    gateway.messageCreate(bot.client, withImage(true));
    await bot.idle();
    expect(t.fetched).toEqual(['https://cdn.example/me.jpg']);
    expect(t.uploads).toHaveLength(1);
    const posted = bot.rest.find('POST', `/channels/${discordIds.channel}/messages`)[0];
    expect(isPng(posted!.files[0]!.bytes)).toBe(true);
  });

  it('an image sent to a bot that cannot make faces from photos is not taken for one (no download, no refusal)', async () => {
    const t = photoBot();
    bot = t.bot;
    Object.assign(bot.engine, { photosAvailable: false });
    gateway.messageCreate(bot.client, withImage(true));
    await bot.idle();
    expect(t.fetched).toEqual([]);
    expect(t.uploads).toEqual([]);
  });

  it('an image in a message not addressed to the bot is left alone', async () => {
    const t = photoBot();
    bot = t.bot;
    gateway.messageCreate(bot.client, withImage(false));
    await bot.idle();
    expect(t.fetched).toEqual([]);
    expect(t.uploads).toEqual([]);
  });
});

describe('attachments', () => {
  it('a failed download is said, not swallowed', async () => {
    const r = await attachmentBytes({ url: 'u', size: 10, name: 'a.png' }, 100, async () => {
      throw new Error('ECONNRESET');
    });
    expect(r).toEqual({ refusal: expect.stringMatching(/could not download/) });
  });

  it('finds the image among attachments by type or name', () => {
    const files = [
      { url: 'a', size: 1, name: 'notes.txt', contentType: 'text/plain' },
      { url: 'b', size: 1, name: 'me.JPG', contentType: null },
    ];
    expect(imageAttachment(files)?.url).toBe('b');
    expect(imageAttachment(files.slice(0, 1))).toBeUndefined();
  });
});
