import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createEngine } from '../src/conversation/engine.js';
import type { ConversationEngine, EngineReply } from '../src/conversation/types.js';
import type { FaceRecord } from '../src/face/record.js';
import type { RenderOptions } from '../src/render/types.js';
import { InMemoryUserLock, openSharedState, redactRedisUrl, type SharedState } from '../src/shared-state/index.js';
import { RedisConnection } from '../src/shared-state/redis.js';
import { RedisUserLock } from '../src/shared-state/redis-user-lock.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer, FakeScorer, makeFakeAxes } from './helpers/fake-render.js';
import { skipRedisTests, startRedisServer, type RedisServer } from './helpers/redis-server.js';

const quiet = pino({ level: 'silent' });

function faceOf(reply: EngineReply): FaceRecord {
  if (reply.kind !== 'face') throw new Error(`expected a face, got text: ${reply.text}`);
  return reply.face;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A FakeRenderer whose renders wait while `held` is set (one render in progress can be held open). */
class GatedRenderer extends FakeRenderer {
  started: string[] = [];
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open?.();
    this.gate = undefined;
  }
  label = '';
  override async renderPng(z: Float32Array, options?: RenderOptions): Promise<Buffer> {
    this.started.push(this.label);
    if (this.gate) await this.gate;
    return super.renderPng(z, options);
  }
}

describe('REDIS_URL (config)', () => {
  it('is optional: unset means in memory', () => {
    expect(loadConfig({}).REDIS_URL).toBeUndefined();
    expect(loadConfig({ REDIS_URL: '  ' }).REDIS_URL).toBeUndefined();
  });

  it('takes redis:// and rediss:// URLs and names a bad one without echoing it', () => {
    expect(loadConfig({ REDIS_URL: 'redis://:pw@localhost:6379/2' }).REDIS_URL).toBe('redis://:pw@localhost:6379/2');
    expect(loadConfig({ REDIS_URL: 'rediss://cache.example:6380' }).REDIS_URL).toBe('rediss://cache.example:6380');
    let message = '';
    try {
      loadConfig({ REDIS_URL: 'http://user:hunter2@localhost' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(message).not.toContain('hunter2');
  });

  it('is logged with its password replaced', () => {
    expect(redactRedisUrl('redis://:s3cret@db.internal:6379/1')).toBe('redis://:***@db.internal:6379/1');
    expect(redactRedisUrl('redis://app:s3cret@db.internal:6379')).toBe('redis://app:***@db.internal:6379');
    expect(redactRedisUrl('not a url s3cret')).not.toContain('s3cret');
  });
});

describe('the in-memory per-user lock (the default)', () => {
  it('runs one user one after another, others alongside, and forgets users when idle', async () => {
    const lock = new InMemoryUserLock();
    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = lock.run('a', () => new Promise<void>((r) => (releaseFirst = r)).then(() => void order.push('a1')));
    const second = lock.run('a', async () => void order.push('a2'));
    await lock.run('b', async () => void order.push('b1'));
    expect(order).toEqual(['b1']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
    await new Promise((r) => setTimeout(r, 0));
    expect(lock.size).toBe(0);
  });
});

describe.skipIf(skipRedisTests)('shared through a real Redis', () => {
  let server: RedisServer;
  const opened: SharedState[] = [];
  let n = 0;
  /** One "bot process": its own connection, limiter and lock, on a prefix of its test. */
  async function processOn(prefix: string, options: { perMinute?: number; windowSeconds?: number; lockTtlMs?: number } = {}) {
    const shared = await openSharedState({
      url: server.url, log: quiet, prefix, perMinute: options.perMinute ?? 100,
      windowSeconds: options.windowSeconds, lockTtlMs: options.lockTtlMs,
    });
    opened.push(shared);
    return shared;
  }

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await server?.dispose();
  });

  describe('rate limit', () => {
    it('is one limit for two processes (two clients): what one takes, the other cannot', async () => {
      const prefix = `t${n++}:`;
      const a = await processOn(prefix, { perMinute: 3 });
      const b = await processOn(prefix, { perMinute: 3 });
      expect((await a.limiter.take('u')).ok).toBe(true);
      expect((await b.limiter.take('u')).ok).toBe(true);
      expect((await a.limiter.take('u')).ok).toBe(true);
      const refusedB = await b.limiter.take('u');
      const refusedA = await a.limiter.take('u');
      for (const refused of [refusedA, refusedB]) {
        expect(refused.ok).toBe(false);
        if (!refused.ok) {
          expect(refused.retryAfterMs).toBeGreaterThan(55_000);
          expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
        }
      }
      // per user
      expect((await b.limiter.take('v')).ok).toBe(true);
    });

    it('is a sliding window in which refused attempts do not count', async () => {
      const prefix = `t${n++}:`;
      const a = await processOn(prefix, { perMinute: 2, windowSeconds: 2 });
      const b = await processOn(prefix, { perMinute: 2, windowSeconds: 2 });
      expect((await a.limiter.take('u')).ok).toBe(true);
      const t1 = Date.now(); // the first was counted before this
      await new Promise((r) => setTimeout(r, 800));
      expect((await b.limiter.take('u')).ok).toBe(true); // counted after t1 + 800
      for (let i = 0; i < 5; i++) {
        const d = await (i % 2 ? a : b).limiter.take('u');
        expect(d.ok).toBe(false);
        if (!d.ok) expect(d.retryAfterMs).toBeLessThanOrEqual(2000);
      }
      // after t1 + 2 s the first has left the window, the second has not (until t1 + 2.8 s), and the five
      // refused ones never counted: one more is allowed, not two
      await new Promise((r) => setTimeout(r, Math.max(0, t1 + 2100 - Date.now())));
      expect((await a.limiter.take('u')).ok).toBe(true);
      expect((await b.limiter.take('u')).ok).toBe(false);
    });
  });

  describe('per-user one at a time', () => {
    let store: FakeStore;
    /** Each "process" has its own renderer, as it would. */
    let renderers: [GatedRenderer, GatedRenderer];
    let engines: [ConversationEngine, ConversationEngine];

    let prefix = '';
    /** Waits until `count` requests of the user are in the shared queue (a third client looks). */
    async function untilQueued(userId: string, count: number): Promise<void> {
      const deadline = Date.now() + 10_000;
      const look = await RedisConnection.open({ url: server.url, log: quiet });
      try {
        while ((await look.client.zCard(`${prefix}lock:{${userId}}:queue`)) < count) {
          if (Date.now() > deadline) throw new Error('timed out waiting for the queue');
          await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        await look.close();
      }
    }

    async function twoEngines(): Promise<void> {
      prefix = `t${n++}:`;
      store = new FakeStore(); // both processes share the face store (Postgres, say)
      renderers = [new GatedRenderer(), new GatedRenderer()];
      const scorer = new FakeScorer({ Smiling: 0.9 });
      const axes = makeFakeAxes();
      const made: ConversationEngine[] = [];
      for (const renderer of renderers) {
        const { userLock } = await processOn(prefix);
        made.push(createEngine({ store, renderer, scorer, axes, model: 'm', userLock, random: () => 0.25 }));
      }
      engines = made as [ConversationEngine, ConversationEngine];
    }

    it('serialises two engines (two processes) for one user: two quick refines both apply, in order', async () => {
      await twoEngines();
      const [one, two] = engines;
      const alice = { userId: 'alice' };
      const start = faceOf(await one.describe(alice, 'smiling'));

      renderers[0].hold();
      renderers[0].label = 'older';
      const older = one.refine(alice, 'older');
      await until(() => renderers[0].started.includes('older'));
      const glasses = two.refine(alice, 'with glasses');
      await new Promise((r) => setTimeout(r, 300));
      expect(renderers[1].started).toEqual([]); // the second waits for the first, across processes
      renderers[0].release();

      const [a, b] = [faceOf(await older), faceOf(await glasses)];
      expect(a.parentId).toBe(start.id);
      expect(b.parentId).toBe(a.id);
      expect(b.edits.map((e) => e.text)).toEqual(['smiling', 'older', 'with glasses']);
      expect(await store.getCurrentFaceId('alice')).toBe(b.id);
    });

    it('keeps the arrival order of several quick requests from both processes', async () => {
      await twoEngines();
      const alice = { userId: 'alice' };
      await engines[0].describe(alice, 'smiling');
      for (const r of renderers) r.hold();
      const words = ['older', 'with glasses', 'bald', 'wearing a hat'];
      const replies: Promise<EngineReply>[] = [];
      for (const [i, w] of words.entries()) {
        replies.push(engines[i % 2]!.refine(alice, w));
        await untilQueued('alice', i + 1); // the next one arrives once this one is in the queue
      }
      expect(renderers.map((r) => r.started.length)).toEqual([2, 0]); // the describe, then 'older' (held)
      for (const r of renderers) r.release();
      const faces = (await Promise.all(replies)).map(faceOf);
      expect(faces.at(-1)?.edits.map((e) => e.text)).toEqual(['smiling', ...words]);
      for (let i = 1; i < faces.length; i++) expect(faces[i]?.parentId).toBe(faces[i - 1]?.id);
    });

    it('lets different users run side by side', async () => {
      await twoEngines();
      const [one, two] = engines;
      await one.describe({ userId: 'alice' }, 'smiling');
      renderers[0].hold();
      const held = one.refine({ userId: 'alice' }, 'older');
      await until(() => renderers[0].started.length === 2);
      // alice's refine holds her turn; bob, on the other process, is not kept waiting, nor is alice's
      // request on the other process for someone else
      const bob = faceOf(await two.describe({ userId: 'bob' }, 'with glasses'));
      expect(bob.ownerId).toBe('bob');
      renderers[0].release();
      expect(faceOf(await held).edits).toHaveLength(2);
    });

    it('frees the turn of a holder that died without releasing it, after the TTL', async () => {
      const prefix = `t${n++}:`;
      const ttlMs = 1000;
      const dying = await RedisConnection.open({ url: server.url, log: quiet });
      const deadLock = new RedisUserLock(dying, { log: quiet, prefix, ttlMs });
      const living = await processOn(prefix, { lockTtlMs: ttlMs });

      let finishHeld!: () => void;
      let held = false;
      const holder = deadLock.run('carol', () => {
        held = true;
        return new Promise<void>((r) => (finishHeld = r));
      });
      await until(() => held);
      dying.client.destroy(); // the process is gone: no renewal, no release

      const t0 = Date.now();
      let ran = false;
      await living.userLock.run('carol', async () => void (ran = true));
      const waited = Date.now() - t0;
      expect(ran).toBe(true);
      expect(waited).toBeGreaterThan(ttlMs / 3); // it did wait for the dead holder ...
      expect(waited).toBeLessThan(ttlMs + 1500); // ... but not forever

      finishHeld();
      await holder; // its release fails (no connection) and is only logged
      await dying.close();
    });

    it('runs the holder\'s request to the end when it outlasts the TTL (the turn is renewed)', async () => {
      const prefix = `t${n++}:`;
      const a = await processOn(prefix, { lockTtlMs: 1000 });
      const b = await processOn(prefix, { lockTtlMs: 1000 });
      const order: string[] = [];
      const first = a.userLock.run('dave', async () => {
        order.push('a start');
        await new Promise((r) => setTimeout(r, 2200)); // more than twice the TTL
        order.push('a end');
      });
      await until(() => order.length === 1);
      await b.userLock.run('dave', async () => void order.push('b'));
      await first;
      expect(order).toEqual(['a start', 'a end', 'b']);
    });
  });
});
