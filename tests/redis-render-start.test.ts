import { PassThrough, Readable } from 'node:stream';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { runChat } from '../src/console/chat.js';
import { createEngine } from '../src/conversation/engine.js';
import { RemoteRenderer } from '../src/render/remote-renderer.js';
import { SharedStateOpenError } from '../src/shared-state/errors.js';
import { FakeStore } from './helpers/fake-store.js';
import { FAKE_Z_DIM, FakeRenderer, FakeScorer, makeFakeAxes } from './helpers/fake-render.js';
import { skipRedisTests, startRedisServer, type RedisServer } from './helpers/redis-server.js';

const PASSWORD = 'pw-s3cret-29';
const quiet = pino({ level: 'silent' });
const HUNG = Symbol('hung');

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** open() with a 1 s connect timeout; HUNG when it has not settled 8 s later (it used to never settle). */
async function openOrHang(url: string): Promise<RemoteRenderer | Error | typeof HUNG> {
  let timer: NodeJS.Timeout | undefined;
  const opened = RemoteRenderer.open({
    url, log: quiet, zDim: FAKE_Z_DIM, capacity: 4, timeoutMs: 2000, size: 64, local: new FakeRenderer(), connectTimeoutMs: 1000, queueName: 'start-test',
  }).catch((err: Error) => err);
  const hung = new Promise<typeof HUNG>((resolve) => (timer = setTimeout(() => resolve(HUNG), 8000)));
  return Promise.race([opened, hung]).finally(() => clearTimeout(timer));
}

describe('REDIS_URL is checked before anything connects (issue 29 item 4)', () => {
  it('refuses a database that is not a number, and names the form', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://:pw@host:6379/abc' })).toThrow(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL: redis:\/\/\[:password@\]host:port\[\/database number\]/);
    expect(() => loadConfig({ REDIS_URL: 'redis://:pw@host:6379/abc' })).not.toThrow(/pw@/);
    expect(loadConfig({ REDIS_URL: 'redis://:pw@host:6379/3' }).REDIS_URL).toBe('redis://:pw@host:6379/3');
    expect(loadConfig({ REDIS_URL: 'redis://host:6379' }).REDIS_URL).toBe('redis://host:6379');
  });
});

describe.skipIf(skipRedisTests)('the render queue at start and in an outage (issue 29 item 4)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer({ password: PASSWORD });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('gives up on an unreachable Redis with one line, instead of hanging', { timeout: 20_000 }, async () => {
    const result = await openOrHang(`redis://127.0.0.1:${await closedPort()}`);
    expect(result).toBeInstanceOf(SharedStateOpenError);
    expect((result as Error).message).toMatch(/cannot connect to Redis .* no connection within 1000 ms \(connect ECONNREFUSED/);
  });

  it('gives up on a wrong password, says it was refused, and never prints it', { timeout: 20_000 }, async () => {
    const url = `redis://:wrong-${PASSWORD}@127.0.0.1:${server.port}`;
    const result = await openOrHang(url);
    expect(result).toBeInstanceOf(SharedStateOpenError);
    expect((result as Error).message).toMatch(/WRONGPASS/);
    expect((result as Error).message).not.toContain(PASSWORD);
  });

  it('tells the chat "busy, try again" when Redis goes away, not the client library\'s error', { timeout: 30_000 }, async () => {
    const renderer = await openOrHang(server.url);
    if (!(renderer instanceof RemoteRenderer)) throw new Error(`could not open: ${String(renderer)}`);
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-redis-chat-'));
    try {
      const store = new FakeStore();
      const engine = createEngine({ store, renderer, scorer: new FakeScorer(), axes: makeFakeAxes(), model: 'm' });
      await server.stop();
      const output = new PassThrough();
      const chunks: Buffer[] = [];
      output.on('data', (c: Buffer) => chunks.push(c));
      const summary = await runChat({ engine, input: Readable.from(['a smiling man\n']), output, outDir });
      const out = Buffer.concat(chunks).toString('utf8');
      expect(out).toMatch(/busy right now: the render queue \(Redis\) cannot be reached, so nothing was done; try again/);
      expect(out).not.toMatch(/something went wrong|maxRetriesPerRequest/);
      expect(summary.failed).toBe(1);
      expect(await store.getCurrentFaceId('console')).toBeUndefined();
    } finally {
      await server.start();
      await renderer.close();
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });
});
