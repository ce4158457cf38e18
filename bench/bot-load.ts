/**
 * Load test of the bot layer: N concurrent `/face describe` interactions go through a real (offline)
 * discord.js Client and the bot's handlers; REST is captured, nothing touches the network. Measures the
 * time from the interaction arriving to the final PATCH of @original carrying the PNG.
 */
import { performance } from 'node:perf_hooks';
import type { ConversationEngine } from '../src/conversation/types.js';
import { SlidingWindowLimiter } from '../src/bot/rate-limit.js';
import { attachHandlers } from '../src/bot/wire.js';
import { memoryLogger } from '../tests/helpers/discord-harness.js';
import { createOfflineClient, describePayload, gateway } from '../tests/helpers/discord-gateway.js';
import { RestCapture } from '../tests/helpers/discord-rest.js';
import { percentile } from './stats.js';

const DESCRIPTIONS = [
  'older man, smiling, more beard',
  'young woman with glasses',
  'bald man, no smile',
  'blond woman, heavy makeup, smiling',
  'a bit older, wavy hair, pale skin',
];

export interface BotLoadStats {
  sent: number;
  /** Got their face (the final PATCH of @original carrying a PNG). */
  delivered: number;
  /** Answered with a message instead of a face (queue full, timeout, not understood…). */
  answeredOtherwise: number;
  /** Got nothing at all. */
  lost: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  wallMs: number;
  /** "rendering… Nth in line" edits shown while waiting. */
  queueEdits: number;
  /** Private error answers (queue full, timeout, …) by text. */
  errorAnswers: Record<string, number>;
}


export async function runBotLoad(engine: ConversationEngine, count = 50, timeoutMs = 300_000): Promise<BotLoadStats> {
  const rest = new RestCapture();
  const client = createOfflineClient(rest);
  const { log } = memoryLogger();
  const runtime = attachHandlers(client, {
    engine,
    log,
    limiter: new SlidingWindowLimiter(1000),
  });

  const sentAt = new Map<string, number>();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const raw = describePayload(DESCRIPTIONS[i % DESCRIPTIONS.length]!, `14000000000000${String(10000 + i)}`);
    sentAt.set(raw.token, performance.now());
    gateway.interactionCreate(client, raw);
  }
  const finished = await Promise.race([
    runtime.idle().then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
  ]);
  const wallMs = performance.now() - started;

  const latencies: number[] = [];
  const otherwise = new Set<string>();
  let queueEdits = 0;
  const errorAnswers: Record<string, number> = {};
  for (const req of rest.requests) {
    const token = /^\/(?:webhooks|interactions)\/\d+\/([^/]+)/.exec(req.path)?.[1];
    const t0 = token ? sentAt.get(token) : undefined;
    if (!token || t0 === undefined) continue;
    const content = req.json?.content ?? (req.json?.data as { content?: unknown } | undefined)?.content;
    if (req.method === 'PATCH' && req.files.length) latencies.push(req.at - t0);
    else if (req.method === 'PATCH' && String(content).startsWith('rendering…')) queueEdits += 1;
    else if (req.method !== 'DELETE' && content !== undefined) {
      // an ephemeral follow-up, an edited ephemeral placeholder, or an immediate reply (rate limit)
      otherwise.add(token);
      errorAnswers[String(content)] = (errorAnswers[String(content)] ?? 0) + 1;
    }
  }
  runtime.close();
  await client.destroy();
  if (!finished) errorAnswers[`still running after ${timeoutMs} ms`] = runtime.inFlight;

  latencies.sort((a, b) => a - b);
  return {
    sent: count,
    delivered: latencies.length,
    answeredOtherwise: otherwise.size,
    lost: count - latencies.length - otherwise.size,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    maxMs: latencies.at(-1) ?? NaN,
    wallMs,
    queueEdits,
    errorAnswers,
  };
}

/** Fires 50 concurrent `/face describe` through the handlers and prints delivered/lost and p50/p95. */
export async function benchBotLoad(engine: ConversationEngine): Promise<void> {
  const s = await runBotLoad(engine, 50);
  const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');
  console.log(
    `bot load: ${s.sent} concurrent /face describe → delivered ${s.delivered}, ` +
      `answered otherwise ${s.answeredOtherwise}, lost ${s.lost}; ` +
      `latency p50 ${ms(s.p50Ms)}, p95 ${ms(s.p95Ms)}, max ${ms(s.maxMs)}; wall ${ms(s.wallMs)}; ` +
      `queue-position edits ${s.queueEdits}`,
  );
  for (const [text, n] of Object.entries(s.errorAnswers)) console.log(`  answered instead of a face ×${n}: ${text}`);
}
