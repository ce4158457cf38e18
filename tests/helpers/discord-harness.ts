import type { Client } from 'discord.js';
import pino from 'pino';
import type { BotDeps } from '../../src/bot/deps.js';
import { SlidingWindowLimiter } from '../../src/bot/rate-limit.js';
import { attachHandlers, type BotRuntime } from '../../src/bot/wire.js';
import { FakeStore } from './fake-store.js';
import { FakeFaceEngine } from './discord-fake-engine.js';
import { createOfflineClient } from './discord-gateway.js';
import { RestCapture } from './discord-rest.js';

export interface LogLine {
  level: number;
  msg: string;
  userId?: string;
  command?: string;
  faceId?: string;
  [key: string]: unknown;
}

/** pino writing JSON lines into an array, for asserting what was logged. */
export function memoryLogger(): { log: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}

export interface TestBot {
  client: Client;
  rest: RestCapture;
  engine: FakeFaceEngine;
  /** The fake engine's store, for assertions (the handlers never see it). */
  store: FakeStore;
  runtime: BotRuntime;
  deps: BotDeps;
  logs: LogLine[];
  /** Waits until every handler started so far has finished. */
  idle(): Promise<void>;
}

/** The bot's real handlers on a real, offline discord.js Client, with a fake engine and store. */
export function createTestBot(
  options: { perMinute?: number; now?: () => number; progressIntervalMs?: number; messageContent?: boolean } = {},
): TestBot {
  const rest = new RestCapture();
  const client = createOfflineClient(rest);
  const store = new FakeStore();
  const engine = new FakeFaceEngine(store);
  const { log, lines } = memoryLogger();
  const deps: BotDeps = {
    engine,
    log,
    messageContent: options.messageContent ?? true,
    limiter: new SlidingWindowLimiter(options.perMinute ?? 100, options.now),
    progressIntervalMs: options.progressIntervalMs ?? 0,
  };
  const runtime = attachHandlers(client, deps);
  return { client, rest, engine, store, runtime, deps, logs: lines, idle: () => runtime.idle() };
}
