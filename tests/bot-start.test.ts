import { spawnSync } from 'node:child_process';
import { GatewayIntentBits } from 'discord.js';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { deployCommands, DeployError } from '../src/bot/deploy.js';
import { BotStartError, startBot } from '../src/bot/start.js';
import { describeLoginError } from '../src/bot/start-errors.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeFaceEngine } from './helpers/discord-fake-engine.js';
import { FakeGateway } from './helpers/discord-fake-gateway.js';
import { describePayload } from './helpers/discord-gateway.js';
import { memoryLogger } from './helpers/discord-harness.js';
import { discordIds, FAKE_TOKEN } from './helpers/discord-ids.js';
import { RestCapture } from './helpers/discord-rest.js';

const store = new FakeStore();
const engine = new FakeFaceEngine(store);

async function startError(env: Record<string, string>, rest = new RestCapture(), loginTimeoutMs = 2000) {
  const { log, lines } = memoryLogger();
  const err = await startBot(loadConfig(env), engine, {
    rest: { makeRequest: rest.makeRequest, retries: 0 },
    loginTimeoutMs,
    log,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(JSON.stringify(lines)).not.toContain(FAKE_TOKEN);
  return { err, rest };
}

describe('startBot', () => {
  it('a missing token is a one-line BotStartError', async () => {
    const { err } = await startError({});
    expect(err).toBeInstanceOf(BotStartError);
    expect((err as Error).message).toMatch(/^DISCORD_TOKEN is not set/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('DISCORD_TOKEN=not-a-real-token fails at once, before any request, without echoing the value', async () => {
    // a login timeout far beyond the test's own timeout: only a failure before any login attempt passes
    const { err, rest } = await startError({ DISCORD_TOKEN: 'not-a-real-token' }, new RestCapture(), 10 * 60_000);
    expect(err).toBeInstanceOf(BotStartError);
    expect((err as Error).message).toContain('does not look like a bot token');
    expect((err as Error).message).not.toContain('not-a-real-token');
    expect(rest.requests).toEqual([]);
  });

  it('a token Discord rejects (401 on /gateway/bot) says so and never shows the token', async () => {
    const rest = new RestCapture().respond((req) =>
      req.path === '/gateway/bot' ? { status: 401, body: { message: '401: Unauthorized', code: 0 } } : undefined,
    );
    const { err } = await startError({ DISCORD_TOKEN: FAKE_TOKEN }, rest);
    expect(err).toBeInstanceOf(BotStartError);
    expect((err as Error).message).toContain('Discord rejected DISCORD_TOKEN');
    expect((err as Error).message).not.toContain(FAKE_TOKEN);
    expect(rest.requests[0]).toMatchObject({ method: 'GET', path: '/gateway/bot', authorization: `Bot ${FAKE_TOKEN}` });
  });

  it('no network: a clear failure within the login timeout instead of a hang', async () => {
    const rest = new RestCapture().respond(() => new Promise(() => undefined)); // never answers
    const { err } = await startError({ DISCORD_TOKEN: FAKE_TOKEN }, rest, 300);
    expect(err).toBeInstanceOf(BotStartError);
    expect((err as Error).message).toMatch(/could not connect to Discord within \d+ s/);
  });
});

describe('deploy-commands', () => {
  const config = (extra: Record<string, string> = {}) =>
    loadConfig({ DISCORD_TOKEN: FAKE_TOKEN, DISCORD_CLIENT_ID: discordIds.app, ...extra });

  it('registers /face in GUILD_ID when set', async () => {
    const rest = new RestCapture();
    const result = await deployCommands(config({ GUILD_ID: discordIds.guild }), { rest: { makeRequest: rest.makeRequest } });
    expect(result.scope).toBe('guild');
    expect(rest.summary()).toEqual([`PUT /applications/${discordIds.app}/guilds/${discordIds.guild}/commands`]);
    expect(rest.requests[0]?.authorization).toBe(`Bot ${FAKE_TOKEN}`);
    const body = rest.requests[0]?.json as unknown as { name: string; options: { name: string }[] }[];
    expect(body.map((c) => c.name)).toEqual(['face']);
    expect(body[0]?.options.map((o) => o.name)).toEqual(['describe', 'refine', 'photo', 'axes', 'undo', 'reset', 'explain', 'forget', 'morph', 'mix', 'analogy']);
  });

  it('registers globally without GUILD_ID', async () => {
    const rest = new RestCapture();
    const result = await deployCommands(config(), { rest: { makeRequest: rest.makeRequest } });
    expect(result.scope).toBe('global');
    expect(rest.summary()).toEqual([`PUT /applications/${discordIds.app}/commands`]);
  });

  it('explains missing config and refused access', async () => {
    await expect(deployCommands(loadConfig({ DISCORD_TOKEN: FAKE_TOKEN }))).rejects.toThrow(/DISCORD_CLIENT_ID is not set/);
    await expect(deployCommands(loadConfig({ DISCORD_CLIENT_ID: discordIds.app }))).rejects.toThrow(/DISCORD_TOKEN is not set/);
    const rest = new RestCapture().respond(() => ({ status: 403, body: { message: 'Missing Access', code: 50001 } }));
    const err = await deployCommands(config({ GUILD_ID: discordIds.guild }), { rest: { makeRequest: rest.makeRequest } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployError);
    expect((err as Error).message).toContain('invite the bot');
  });

  it('the CLI prints one line and exits 1 on a bad token (no stack trace, no network)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/bot/deploy-commands.ts'], {
      env: { PATH: process.env.PATH, DISCORD_TOKEN: 'not-a-real-token', DISCORD_CLIENT_ID: discordIds.app },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^deploy-commands: DISCORD_TOKEN does not look like a bot token/);
  });
});

describe('startBot against a loopback gateway', () => {
  async function startOn(gw: FakeGateway, env: Record<string, string> = {}) {
    const rest = new RestCapture();
    gw.serveGatewayInfo(rest);
    const localStore = new FakeStore();
    const config = loadConfig({ DISCORD_TOKEN: FAKE_TOKEN, DISCORD_CLIENT_ID: discordIds.app, ...env });
    const bot = await startBot(config, new FakeFaceEngine(localStore), {
      rest: { makeRequest: rest.makeRequest, retries: 0 },
      loginTimeoutMs: 10_000,
      log: memoryLogger().log,
    });
    return { bot, rest };
  }

  const BASIC_INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions];

  it('with MESSAGE_CONTENT=on, logs in with the Message Content intent, handles gateway events, and stops gracefully', async () => {
    const gw = await FakeGateway.start();
    const { bot, rest } = await startOn(gw, { MESSAGE_CONTENT: 'on' });
    try {
      expect(bot.client.user.id).toBe(discordIds.bot);
      expect(gw.identifies).toHaveLength(1);
      expect(gw.identifies[0]?.token).toBe(FAKE_TOKEN);
      const intents = gw.identifies[0]!.intents;
      for (const bit of [...BASIC_INTENTS, GatewayIntentBits.MessageContent]) expect(intents & bit).toBe(bit);

      // a real INTERACTION_CREATE over the socket reaches the handler
      const raw = describePayload('older');
      gw.dispatch('INTERACTION_CREATE', raw);
      await vi.waitFor(() => expect(rest.find('PATCH', '/messages/@original')).toHaveLength(1), { timeout: 5000 });
      expect(rest.find('POST', `/interactions/${raw.id}/${raw.token}/callback`)).toHaveLength(1);
    } finally {
      await bot.stop();
      await bot.stop(); // idempotent
      await gw.close();
    }
    expect(gw.closedByClient).toBe(1);
  });

  it('by default (MESSAGE_CONTENT=off) asks for no privileged intent (issue 13 item 7)', async () => {
    const gw = await FakeGateway.start();
    const { bot } = await startOn(gw);
    try {
      const intents = gw.identifies[0]!.intents;
      for (const bit of BASIC_INTENTS) expect(intents & bit).toBe(bit);
      expect(intents & GatewayIntentBits.MessageContent).toBe(0);
    } finally {
      await bot.stop();
      await gw.close();
    }
  });

  it('a refused Message Content intent (close 4014) ends the start naming the setting to change', async () => {
    const gw = await FakeGateway.start();
    gw.closeWith = 4014;
    const rest = new RestCapture();
    gw.serveGatewayInfo(rest);
    try {
      const { err } = await startError({ DISCORD_TOKEN: FAKE_TOKEN, MESSAGE_CONTENT: 'on' }, rest, 10_000);
      expect(err).toBeInstanceOf(BotStartError);
      expect((err as Error).message).toContain('Message Content intent');
      expect((err as Error).message).toContain('set MESSAGE_CONTENT=off');
      expect((err as Error).message).toContain('Privileged Gateway Intents');
    } finally {
      await gw.close();
    }
  });
});

describe('MESSAGE_CONTENT setting', () => {
  it('discord.js\'s "Used disallowed intents" error is worded like close code 4014', () => {
    expect(describeLoginError(new Error('Used disallowed intents'))).toMatch(/set MESSAGE_CONTENT=off/);
  });

  it('is on or off, off by default, and a bad value is a config error naming it', () => {
    expect(loadConfig({}).MESSAGE_CONTENT).toBe('off');
    expect(loadConfig({ MESSAGE_CONTENT: 'on' }).MESSAGE_CONTENT).toBe('on');
    expect(() => loadConfig({ MESSAGE_CONTENT: 'yes please' })).toThrow(/MESSAGE_CONTENT/);
  });
});
