import { ApplicationCommandOptionType } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { faceCommandJson, faceSubcommands } from '../src/bot/commands/index.js';
import { axesMessages } from '../src/bot/format/axes.js';
import { createTestBot, type TestBot } from './helpers/discord-harness.js';
import { buttonPayload, describePayload, gateway, slashPayload } from './helpers/discord-gateway.js';
import { discordIds } from './helpers/discord-ids.js';
import { isPng } from './helpers/discord-rest.js';

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.client.destroy();
  bot = undefined;
});

describe('/face command registry', () => {
  it('builds one /face command with a subcommand per file', () => {
    const json = faceCommandJson();
    expect(json.name).toBe('face');
    expect(json.options?.map((o) => o.name)).toEqual(['describe', 'refine', 'photo', 'axes', 'undo', 'reset', 'explain', 'forget', 'morph', 'mix', 'analogy']);
    expect(faceSubcommands).toHaveLength(11);
    const describeOpt = json.options?.[0] as { options: { name: string; required?: boolean; type: number }[] };
    expect(describeOpt.options[0]).toMatchObject({ name: 'text', required: true, type: 3 });
    expect(describeOpt.options[1]).toMatchObject({ name: 'seed', type: 4 });
  });
});

describe('/face axes', () => {
  it('replies ephemerally at once with the controls as an embed', async () => {
    bot = createTestBot();
    const raw = slashPayload('axes');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.rest.summary()).toEqual([`POST /interactions/${raw.id}/${raw.token}/callback`]);
    const body = bot.rest.requests[0]?.json as { type: number; data: { flags: number; embeds: { title?: string; description: string }[] } };
    expect(body.type).toBe(4);
    expect(body.data.flags).toBe(64);
    expect(body.data.embeds[0]?.title).toBe('Face controls');
    expect(body.data.embeds[0]?.description).toContain('Age: older, younger');
  });

  it('splits long help within Discord embed limits', () => {
    const help = Array.from({ length: 800 }, (_, i) => `Group ${i}: ${'word '.repeat(8).trim()}`).join('\n');
    const messages = axesMessages(help);
    expect(messages.length).toBeGreaterThan(1);
    for (const embeds of messages) {
      expect(embeds.length).toBeLessThanOrEqual(10);
      const total = embeds.reduce((n, e) => n + (e.data.description?.length ?? 0) + (e.data.title?.length ?? 0) + (e.data.footer?.text.length ?? 0), 0);
      expect(total).toBeLessThanOrEqual(6000);
      for (const e of embeds) expect(e.data.description!.length).toBeLessThanOrEqual(4096);
    }
    const joined = messages.flat().map((e) => e.data.description).join('\n');
    expect(joined).toBe(help); // nothing lost, nothing cut mid-line
  });
});

describe('/face undo, reset, explain', () => {
  it('undo posts the previous face', async () => {
    bot = createTestBot();
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    await bot.engine.refine({ userId: discordIds.user }, 'beard');
    const raw = slashPayload('undo');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.engine.calls.at(-1)).toEqual({ method: 'undo', userId: discordIds.user });
    const edit = bot.rest.find('PATCH', '/messages/@original')[0];
    expect(isPng(edit!.files[0]!.bytes)).toBe(true);
    expect(String(edit?.json?.content)).toContain('seed `1000`');
  });

  it('refine changes the current face: deferred, then the PNG, same seed', async () => {
    bot = createTestBot();
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    const raw = slashPayload('refine', [{ name: 'text', type: ApplicationCommandOptionType.String, value: 'make him younger' }]);
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.engine.calls.at(-1)).toMatchObject({ method: 'refine', userId: discordIds.user, text: 'make him younger' });
    expect(bot.rest.requests[0]?.json).toEqual({ type: 5, data: { flags: 0 } }); // public, not ephemeral
    const edit = bot.rest.find('PATCH', '/messages/@original')[0];
    expect(isPng(edit!.files[0]!.bytes)).toBe(true);
    expect(String(edit?.json?.content)).toContain('seed `1000`');
  });

  it('reset answers ephemerally (deferred ephemeral, then edited)', async () => {
    bot = createTestBot();
    const raw = slashPayload('reset');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.rest.summary()).toEqual([
      `POST /interactions/${raw.id}/${raw.token}/callback`,
      `PATCH /webhooks/${discordIds.app}/${raw.token}/messages/@original`,
    ]);
    expect(bot.rest.requests[0]?.json).toEqual({ type: 5, data: { flags: 64 } });
    expect(bot.rest.requests[1]?.json?.content).toBe('Forgot your face.');
  });

  it('explain shows the classifier\'s view ephemerally', async () => {
    bot = createTestBot();
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    gateway.interactionCreate(bot.client, slashPayload('explain'));
    await bot.idle();
    expect(bot.engine.calls.at(-1)).toMatchObject({ method: 'explain', userId: discordIds.user });
    expect(bot.rest.requests[0]?.json).toEqual({ type: 5, data: { flags: 64 } });
    expect(String(bot.rest.requests[1]?.json?.content)).toContain('Smiling 0.91');
  });

  it('forget deletes what is stored about you and says what, only to you (issue 13 item 8)', async () => {
    bot = createTestBot();
    gateway.interactionCreate(bot.client, describePayload('older'));
    await bot.idle();
    gateway.interactionCreate(bot.client, describePayload('beard', discordIds.otherUser));
    await bot.idle();
    bot.rest.clear();

    const raw = slashPayload('forget');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.engine.calls.at(-1)).toEqual({ method: 'forget', userId: discordIds.user });
    expect(bot.rest.summary()).toEqual([
      `POST /interactions/${raw.id}/${raw.token}/callback`,
      `PATCH /webhooks/${discordIds.app}/${raw.token}/messages/@original`,
    ]);
    expect(bot.rest.requests[0]?.json).toEqual({ type: 5, data: { flags: 64 } });
    expect(bot.rest.requests[1]?.json?.content).toBe('Deleted 1 faces and 1 links.');
    expect([...bot.store.faces.values()].map((f) => f.ownerId)).toEqual([discordIds.otherUser]);
    expect(await bot.store.getCurrentFaceId(discordIds.user)).toBeUndefined();
  });

  it('an unknown subcommand (stale registration) gets an ephemeral explanation', async () => {
    bot = createTestBot();
    gateway.interactionCreate(bot.client, slashPayload('teleport'));
    await bot.idle();
    expect(bot.rest.requests[0]?.json).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringContaining('deploy-commands') } });
  });
});

describe('buttons', () => {
  it('Reroll 🎲 asks the engine to reroll the face from the custom id and posts the new face', async () => {
    bot = createTestBot();
    gateway.interactionCreate(bot.client, describePayload('older beard'));
    await bot.idle();
    const firstSeed = (await bot.store.getFace('face-1'))?.seed;
    bot.rest.clear();

    const raw = buttonPayload('face:reroll:face-1', [...bot.store.messages.keys()][0]!, discordIds.otherUser);
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.engine.calls.at(-1)).toEqual({ method: 'reroll', userId: discordIds.otherUser, faceId: 'face-1' });
    expect(bot.rest.summary()).toEqual([
      `POST /interactions/${raw.id}/${raw.token}/callback`,
      `PATCH /webhooks/${discordIds.app}/${raw.token}/messages/@original`,
    ]);
    const edit = bot.rest.requests[1];
    const rerolled = await bot.store.getFace('face-2');
    expect(rerolled?.edits).toEqual((await bot.store.getFace('face-1'))?.edits);
    expect(rerolled?.seed).not.toBe(firstSeed);
    expect(String(edit?.json?.content)).toContain(`seed \`${rerolled?.seed}\``);
    expect(String(edit?.json?.content)).toContain('older ▲, beard ▲');
  });

  it('Undo ↩ asks the engine to undo the face under the button; a refusal is answered privately', async () => {
    bot = createTestBot();
    await bot.engine.describe({ userId: discordIds.user }, 'older');
    await bot.engine.refine({ userId: discordIds.user }, 'beard');
    bot.engine.calls.length = 0;

    gateway.interactionCreate(bot.client, buttonPayload('face:undo:face-2', '1700000000000000008', discordIds.otherUser));
    await bot.idle();
    expect(bot.engine.calls).toEqual([{ method: 'undo', userId: discordIds.otherUser, faceId: 'face-2' }]);
    expect(bot.rest.find('POST', '/webhooks/')[0]?.json).toMatchObject({ flags: 64, content: expect.stringContaining('Only the latest face') });

    gateway.interactionCreate(bot.client, buttonPayload('face:undo:face-2', '1700000000000000008'));
    await bot.idle();
    expect(bot.engine.calls.at(-1)).toEqual({ method: 'undo', userId: discordIds.user, faceId: 'face-2' });
    expect(await bot.store.getCurrentFaceId(discordIds.user)).toBe('face-1');
  });
});
