import { afterEach, describe, expect, it } from 'vitest';
import { createTestBot, type TestBot } from './helpers/discord-harness.js';
import { describePayload, gateway } from './helpers/discord-gateway.js';
import { discordIds } from './helpers/discord-ids.js';
import { isPng } from './helpers/discord-rest.js';

let bot: TestBot;
afterEach(async () => {
  await bot.client.destroy();
});

describe('/face describe', () => {
  it('defers first, then PATCHes @original with the PNG, caption, seed, unknown words and buttons', async () => {
    bot = createTestBot();
    const raw = describePayload('older smiling beard purple');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();

    expect(bot.rest.summary()).toEqual([
      `POST /interactions/${raw.id}/${raw.token}/callback`,
      `PATCH /webhooks/${discordIds.app}/${raw.token}/messages/@original`,
    ]);
    const [callback, edit] = bot.rest.requests;
    expect(callback?.json).toMatchObject({ type: 5 }); // DeferredChannelMessageWithSource
    expect(callback?.json?.data).toMatchObject({ flags: 0 }); // public
    expect(callback?.authorization).toBeUndefined(); // interaction routes need no bot token

    expect(edit?.multipart).toBe(true);
    expect(edit?.files).toHaveLength(1);
    expect(edit?.files[0]?.type).toBe('image/png');
    expect(isPng(edit!.files[0]!.bytes)).toBe(true);
    const content = String(edit?.json?.content);
    expect(content).toContain('older ▲, smiling ▲, beard ▲');
    expect(content).toContain('seed `1000`');
    expect(content).toMatch(/not understood: “purple”/);
    expect(edit?.json?.allowed_mentions).toEqual({ parse: [], replied_user: false });

    const buttons = (edit?.json?.components as { components: { custom_id: string }[] }[])[0]?.components;
    expect(buttons?.map((b) => b.custom_id)).toEqual(['face:reroll:face-1', 'face:undo:face-1']);
    expect(bot.engine.calls).toEqual([{ method: 'describe', userId: discordIds.user, text: 'older smiling beard purple', seed: undefined }]);
  });

  it('links the posted message id to the face id in the store', async () => {
    bot = createTestBot();
    gateway.interactionCreate(bot.client, describePayload('older'));
    await bot.idle();
    const [linked] = [...bot.store.messages.entries()];
    expect(linked?.[1]).toBe('face-1');
    expect(bot.logs.find((l) => l.msg === 'face posted')).toMatchObject({
      userId: discordIds.user, command: 'describe', faceId: 'face-1', messageId: linked?.[0],
    });
  });

  it('shows the queue position while waiting ("rendering… 3rd in line"), before the final edit', async () => {
    bot = createTestBot({ progressIntervalMs: 0 });
    bot.engine.queuePositions = [3, 3, 2, 1];
    bot.engine.queueStepMs = 20;
    const raw = describePayload('older');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();

    const edits = bot.rest.find('PATCH', '/messages/@original');
    const texts = edits.map((e) => e.json?.content);
    expect(texts.slice(0, -1)).toEqual(['rendering… 3rd in line', 'rendering… 2nd in line', 'rendering… next in line']);
    expect(edits.at(-1)?.files).toHaveLength(1);
    expect(bot.rest.requests[0]?.path).toMatch(/\/callback$/);
  });

  it('throttles queue edits', async () => {
    bot = createTestBot({ progressIntervalMs: 10_000 });
    bot.engine.queuePositions = [5, 4, 3, 2, 1];
    gateway.interactionCreate(bot.client, describePayload('older'));
    await bot.idle();
    const texts = bot.rest.find('PATCH', '/messages/@original').map((e) => e.json?.content);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe('rendering… 5th in line');
  });

  it('answers privately when nothing was understood, and removes the placeholder', async () => {
    bot = createTestBot();
    const raw = describePayload('xyzzy plugh');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.rest.summary()).toEqual([
      `POST /interactions/${raw.id}/${raw.token}/callback`,
      `POST /webhooks/${discordIds.app}/${raw.token}`,
      `DELETE /webhooks/${discordIds.app}/${raw.token}/messages/@original`,
    ]);
    const followUp = bot.rest.requests[1];
    expect(followUp?.json).toMatchObject({ flags: 64 });
    expect(String(followUp?.json?.content)).toContain('did not understand');
  });

  it('passes the seed option to the engine', async () => {
    bot = createTestBot();
    const raw = describePayload('older');
    raw.data.options[0]!.options.push({ name: 'seed', type: 4, value: 42 });
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.engine.calls[0]).toMatchObject({ method: 'describe', seed: 42 });
    expect(String(bot.rest.requests.at(-1)?.json?.content)).toContain('seed `42`');
  });
});
