/**
 * One "gateway" process of the load-and-fault run (scripts/load-fault.ts): the real engine wired as
 * src/main.ts wires it for the bot (DATABASE_URL store, REDIS_URL shared rate limit and per-user lock,
 * RENDER_WORKERS=redis remote renderer), behind the bot's real handlers on an offline discord.js client
 * (tests/helpers/discord-gateway.ts: fake gateway events in, REST captured). Not part of the bot.
 *
 * Protocol: prints `READY` on stdout once wired; then each stdin line `run <tag> <count> <firstUser>`
 * fires <count> concurrent `/face describe` from distinct users and prints one `RESULT <json>` line with,
 * per request, what the user saw (face / text / nothing) and when. Logs go to stderr.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { attachHandlers } from '../src/bot/wire.js';
import { loadConfig } from '../src/config.js';
import { createEngine } from '../src/conversation/engine.js';
import { log } from '../src/log.js';
import { engineModels, loadFaceModels, modelConfigFrom } from '../src/render/models.js';
import { RemoteRenderer, remoteRendererOptionsFrom } from '../src/render/remote-renderer.js';
import { openSharedState } from '../src/shared-state/index.js';
import { openFaceStore } from '../src/store/open.js';
import { createOfflineClient, describePayload, gateway } from '../tests/helpers/discord-gateway.js';
import { RestCapture } from '../tests/helpers/discord-rest.js';

const DESCRIPTIONS = [
  'older man, smiling, more beard',
  'young woman with glasses',
  'bald man, no smile',
  'blond woman, heavy makeup, smiling',
  'a bit older, wavy hair, pale skin',
];

export interface RequestOutcome {
  user: string;
  outcome: 'face' | 'text' | 'lost';
  /** ms from the interaction arriving to the face (or the last text answer). */
  ms?: number;
  /** The text the user saw instead of a face. */
  text?: string;
  /** Progress edits ("rendering… Nth in line") seen while waiting. */
  edits: number;
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.REDIS_URL || !config.DATABASE_URL || config.RENDER_WORKERS !== 'redis') {
    throw new Error('load-gateway needs REDIS_URL, DATABASE_URL and RENDER_WORKERS=redis');
  }
  // LOAD_REDIS_COMMAND_TIMEOUT_MS: for comparison only (src/main.ts passes none: the default deadline)
  const commandTimeoutMs = process.env.LOAD_REDIS_COMMAND_TIMEOUT_MS ? Number(process.env.LOAD_REDIS_COMMAND_TIMEOUT_MS) : undefined;
  const shared = await openSharedState({
    url: config.REDIS_URL,
    perMinute: config.RATE_LIMIT_PER_MINUTE,
    log: log.child({ component: 'redis' }),
    commandTimeoutMs,
  });
  const store = await openFaceStore(config);
  const models = await loadFaceModels(modelConfigFrom(config));
  const remote = await RemoteRenderer.open(remoteRendererOptionsFrom(config, config.REDIS_URL, models, log));
  const engine = createEngine({ store, ...engineModels(models), renderer: remote, truncation: config.TRUNCATION, userLock: shared.userLock });

  const rest = new RestCapture();
  const client = createOfflineClient(rest);
  const runtime = attachHandlers(client, { engine, log: log.child({ component: 'bot' }), limiter: shared.limiter, progressIntervalMs: 1500 });
  process.stdout.write('READY\n');

  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [cmd, tag, countText, firstText] = line.trim().split(/\s+/);
    if (cmd === 'quit') break;
    if (cmd !== 'run') continue;
    const count = Number(countText);
    const first = Number(firstText);
    const timeoutMs = config.RENDER_TIMEOUT_MS * 2 + 30_000;
    rest.requests.length = 0;
    lag.reset();
    const sentAt = new Map<string, { user: string; t0: number }>();
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const user = `1400000000000${String(first + i).padStart(5, '0')}`;
      const raw = describePayload(DESCRIPTIONS[i % DESCRIPTIONS.length]!, user);
      sentAt.set(raw.token, { user, t0: performance.now() });
      gateway.interactionCreate(client, raw);
    }
    const finished = await Promise.race([
      runtime.idle().then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
    ]);
    const wallMs = performance.now() - started;

    const byToken = new Map<string, RequestOutcome>();
    for (const [token, { user }] of sentAt) byToken.set(token, { user, outcome: 'lost', edits: 0 });
    for (const req of rest.requests) {
      const token = /^\/(?:webhooks|interactions)\/\d+\/([^/]+)/.exec(req.path)?.[1];
      const sent = token ? sentAt.get(token) : undefined;
      const o = token ? byToken.get(token) : undefined;
      if (!sent || !o) continue;
      const content = req.json?.content ?? (req.json?.data as { content?: unknown } | undefined)?.content;
      if (req.method === 'PATCH' && req.files.length) {
        o.outcome = 'face';
        o.ms = req.at - sent.t0;
        o.text = undefined;
      } else if (req.method === 'PATCH' && String(content).startsWith('rendering…')) {
        o.edits += 1;
      } else if (req.method !== 'DELETE' && content !== undefined && o.outcome !== 'face') {
        o.outcome = 'text';
        o.ms = req.at - sent.t0;
        o.text = String(content);
      }
    }
    // how late this process's event loop ran while the burst was in it (Redis replies wait that long too)
    const loopLagMs = { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 };
    const result = { tag, pid: process.pid, wallMs, finished, loopLagMs, inFlight: runtime.inFlight, requests: [...byToken.values()] };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  }
  runtime.close();
  await client.destroy();
  await remote.close();
  await models.close();
  await store.close();
  await shared.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`load-gateway: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
