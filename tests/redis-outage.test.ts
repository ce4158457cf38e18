import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type AnswerStage, type AnswerSurface, type BotAction } from '../src/bot/action-flow.js';
import type { BotDeps } from '../src/bot/deps.js';
import { createEngine } from '../src/conversation/engine.js';
import { SharedStateUnavailableError } from '../src/conversation/errors.js';
import type { ConversationEngine, EngineReply } from '../src/conversation/types.js';
import type { FaceRecord } from '../src/face/record.js';
import { openSharedState, SharedStateOpenError, type SharedState } from '../src/shared-state/index.js';
import { createTestBot, type TestBot } from './helpers/discord-harness.js';
import { describePayload, gateway } from './helpers/discord-gateway.js';
import { discordIds, FAKE_TOKEN } from './helpers/discord-ids.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer, FakeScorer, makeFakeAxes } from './helpers/fake-render.js';
import { skipRedisTests, startRedisServer, type RedisServer } from './helpers/redis-server.js';

const PASSWORD = 'hunter2-s3cret';
const BUSY = '⏳ the bot is busy right now, so nothing was done; please try again in a moment';

interface Line { level: number; msg: string; [key: string]: unknown }
function memoryLog(): { log: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  return { lines, log: pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) }) };
}

function faceOf(reply: EngineReply): FaceRecord {
  if (reply.kind !== 'face') throw new Error(`expected a face, got text: ${reply.text}`);
  return reply.face;
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What runAction told the user and posted. */
function recordingSurface() {
  const told: { text: string; stage: AnswerStage }[] = [];
  const posted: unknown[] = [];
  const surface: AnswerSurface = {
    start: async () => true,
    tell: async (text, stage) => void told.push({ text, stage }),
    postFace: async (payload) => {
      posted.push(payload);
      return `m${posted.length}`;
    },
  };
  return { told, posted, surface };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(skipRedisTests)('when Redis goes away', () => {
  let server: RedisServer;
  let shared: SharedState | undefined;
  let bot: TestBot | undefined;

  beforeAll(async () => {
    server = await startRedisServer({ password: PASSWORD });
  });
  afterEach(async () => {
    server.resume();
    await server.start(); // a test that stopped it leaves it stopped
    await shared?.close();
    shared = undefined;
    await bot?.client.destroy();
    bot = undefined;
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('answers "busy, try again" during an outage, logs it once, and works again after a restart (reconnect)', async () => {
    const { log, lines } = memoryLog();
    shared = await openSharedState({ url: server.url, log, perMinute: 100, prefix: 'outage:', maxReconnectDelayMs: 200 });
    const store = new FakeStore();
    const renderer = new FakeRenderer();
    const engine: ConversationEngine = createEngine({
      store, renderer, scorer: new FakeScorer(), axes: makeFakeAxes(), model: 'm', userLock: shared.userLock, random: () => 0.25,
    });
    const deps: BotDeps = { engine, limiter: shared.limiter, log };
    const ctx = { userId: 'alice', command: 'describe' };
    const describe: BotAction = { command: 'describe', rateLimited: true, call: (c) => engine.describe(c, 'smiling') };
    const refine: BotAction = { command: 'reply:refine', rateLimited: true, call: (c) => engine.refine(c, 'older') };
    const undo: BotAction = { command: 'undo', rateLimited: false, call: (c) => engine.undo(c) };

    // before: it works
    const before = recordingSurface();
    await runAction(deps, describe, ctx, before.surface);
    expect(before.posted).toHaveLength(1);
    const first = await store.getCurrentFaceId('alice');

    // the server goes away
    await server.stop();
    await until(() => lines.some((l) => l.msg.startsWith('lost the connection to Redis')));
    const calls = renderer.calls.length;

    const during = recordingSurface();
    await runAction(deps, refine, { ...ctx, command: 'reply:refine' }, during.surface); // refused at the rate limit
    await runAction(deps, undo, { ...ctx, command: 'undo' }, during.surface); // not rate limited: refused at the lock
    expect(during.told).toEqual([{ text: BUSY, stage: 'refused' }, { text: BUSY, stage: 'answer' }]);
    expect(during.posted).toEqual([]);
    await expect(shared.limiter.take('bob')).rejects.toBeInstanceOf(SharedStateUnavailableError);
    await expect(engine.refine({ userId: 'bob' }, 'older')).rejects.toBeInstanceOf(SharedStateUnavailableError);
    expect(renderer.calls).toHaveLength(calls); // nothing ran
    expect(lines.find((l) => l.msg === 'could not check the rate limit, so the request was refused')).toMatchObject({
      level: 50, userId: 'alice', command: 'reply:refine', kind: 'shared-state-unavailable',
    });
    expect(lines.find((l) => l.msg === 'engine call failed')).toMatchObject({ level: 50, command: 'undo', kind: 'shared-state-unavailable' });
    expect(lines.filter((l) => l.msg.startsWith('lost the connection to Redis'))).toHaveLength(1);

    // it comes back (same port, empty: nothing is saved): the client reconnects by itself
    await server.start();
    await until(() => lines.some((l) => l.msg === 'reconnected to Redis'));
    const after = recordingSurface();
    await runAction(deps, refine, { ...ctx, command: 'reply:refine' }, after.surface);
    expect(after.told).toEqual([]);
    expect(after.posted).toHaveLength(1);
    const refined = await store.getFace((await store.getCurrentFaceId('alice'))!);
    expect(refined?.parentId).toBe(first);
    expect(faceOf(await engine.refine({ userId: 'bob' }, 'older')).ownerId).toBe('bob');

    // no log line carries the password; the server is named with it replaced
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(PASSWORD);
    expect(lines.find((l) => l.msg === 'connected to Redis')).toMatchObject({ redis: `redis://:***@127.0.0.1:${server.port}` });
  });

  it('answers "busy" within the command deadline when Redis hangs, instead of waiting', async () => {
    const { log, lines } = memoryLog();
    shared = await openSharedState({ url: server.url, log, perMinute: 100, prefix: 'hang:', commandTimeoutMs: 300 });
    const engine = createEngine({
      store: new FakeStore(), renderer: new FakeRenderer(), scorer: new FakeScorer(), axes: makeFakeAxes(), model: 'm',
      userLock: shared.userLock, random: () => 0.25,
    });
    server.pause();
    const t0 = Date.now();
    await expect(shared.limiter.take('alice')).rejects.toThrow(/did not answer within 300 ms/);
    await expect(engine.describe({ userId: 'alice' }, 'smiling')).rejects.toBeInstanceOf(SharedStateUnavailableError);
    expect(Date.now() - t0).toBeLessThan(2000);
    server.resume();
    // the late answers arrive and the connection carries on; the turn alice's request took too late was
    // given back at once (not after the 15 s TTL)
    const t1 = Date.now();
    expect(faceOf(await engine.describe({ userId: 'alice' }, 'smiling')).ownerId).toBe('alice');
    expect(Date.now() - t1).toBeLessThan(3000);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it('a slash command while Redis is down gets the busy answer, privately, and the engine is not called', async () => {
    const { log } = memoryLog();
    shared = await openSharedState({ url: server.url, log, perMinute: 100, prefix: 'slash:' });
    bot = createTestBot();
    bot.deps.limiter = shared.limiter;
    await server.stop();
    const raw = describePayload('older');
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.rest.summary()).toEqual([`POST /interactions/${raw.id}/${raw.token}/callback`]);
    expect(bot.rest.requests[0]?.json).toMatchObject({ type: 4, data: { content: BUSY, flags: 64 } });
    expect(bot.engine.calls).toHaveLength(0);
    expect(bot.logs.find((l) => l.msg === 'could not check the rate limit, so the request was refused')).toMatchObject({
      userId: discordIds.user, command: 'describe', kind: 'shared-state-unavailable',
    });
  });

  it('stops the start with one line naming the server, without its password, when Redis cannot be reached', async () => {
    const { log, lines } = memoryLog();
    const port = await closedPort();
    const t0 = Date.now();
    const err = await openSharedState({ url: `redis://:${PASSWORD}@127.0.0.1:${port}`, log, perMinute: 6, connectTimeoutMs: 500 })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SharedStateOpenError);
    expect((err as Error).message).toMatch(new RegExp(`^cannot connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(REDIS_URL\\): .*ECONNREFUSED`));
    expect((err as Error).message).not.toContain(PASSWORD);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it('stops the start when the password is missing', async () => {
    const { log } = memoryLog();
    const err = await openSharedState({ url: `redis://127.0.0.1:${server.port}`, log, perMinute: 6, connectTimeoutMs: 1000 })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SharedStateOpenError);
    expect((err as Error).message).toMatch(/^cannot connect to Redis at redis:\/\/127\.0\.0\.1:\d+ \(REDIS_URL\): .*NOAUTH/);
  });

  it('stops the start when the password is wrong, without echoing either password', async () => {
    const { log, lines } = memoryLog();
    const wrong = 'wrong-pw-42';
    const err = await openSharedState({ url: `redis://:${wrong}@127.0.0.1:${server.port}`, log, perMinute: 6, connectTimeoutMs: 1000 })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SharedStateOpenError);
    expect((err as Error).message).toContain('cannot connect to Redis at redis://:***@127.0.0.1');
    for (const secret of [wrong, PASSWORD]) {
      expect((err as Error).message).not.toContain(secret);
      expect(JSON.stringify(lines)).not.toContain(secret);
    }
  });
});

describe('REDIS_URL at start-up', () => {
  it('npm start with REDIS_URL unreachable: the bot does not start, one closing line says why, no password', () => {
    const port = 1; // nothing listens there
    const env = { ...process.env, DISCORD_TOKEN: FAKE_TOKEN, REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}/0`, LOG_LEVEL: 'info' };
    const r = spawnSync(path.resolve('node_modules/.bin/tsx'), ['src/main.ts'], { encoding: 'utf8', timeout: 60_000, env, input: '' });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^tellaface: cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 \(REDIS_URL\): .*ECONNREFUSED/);
    expect(r.stderr).not.toContain(PASSWORD);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
