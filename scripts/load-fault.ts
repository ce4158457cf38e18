/**
 * Load and fault run (issue 14): on this one machine, a throwaway PostgreSQL and Redis, two render workers
 * (`src/render/worker-main.ts`) and two gateway processes (scripts/load-gateway.ts: the real engine, store,
 * shared state and remote renderer behind the bot's handlers on an offline discord.js client). Three
 * phases of 200 concurrent `/face describe` (100 per gateway, distinct users):
 *   1. no fault;  2. kill -9 one render worker ~1 s in (then start a fresh one);  3. restart Redis ~1 s in.
 * Prints, per phase, delivered / answered otherwise (with what users read) / lost and p50/p95, then JSON.
 *
 *   npx tsx scripts/load-fault.ts            (env: LOAD_PER_GATEWAY=100, FAULT_AFTER_MS=1000)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { QueueEvents } from 'bullmq';
import { percentile } from '../bench/stats.js';
import { bullConnection } from '../src/render/remote-renderer.js';
import { RENDER_QUEUE_NAME, RENDER_QUEUE_PREFIX } from '../src/render/render-jobs.js';
import { startPostgres } from '../tests/helpers/postgres-server.js';
import { startRedisServer } from '../tests/helpers/redis-server.js';
import type { RequestOutcome } from './load-gateway.js';

const PER_GATEWAY = Number(process.env.LOAD_PER_GATEWAY ?? 100);
const FAULT_AFTER_MS = Number(process.env.FAULT_AFTER_MS ?? 1000);
const RENDER_TIMEOUT_MS = 30_000;
const RENDER_JOB_LOCK_MS = 3_000;

const pg = await startPostgres();
const db = await pg.createDatabase();
const redis = await startRedisServer();

const env = {
  ...process.env,
  DISCORD_TOKEN: '',
  DATABASE_URL: db.url,
  REDIS_URL: redis.url,
  RENDER_WORKERS: 'redis',
  MODELS_DIR: process.env.MODELS_DIR ?? 'models',
  EXECUTION_PROVIDER: 'cpu',
  RATE_LIMIT_PER_MINUTE: '1000',
  QUEUE_CAPACITY: '256',
  RENDER_TIMEOUT_MS: String(RENDER_TIMEOUT_MS),
  RENDER_JOB_LOCK_MS: String(RENDER_JOB_LOCK_MS),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
const stderrTail = new Map<ChildProcess, string>();

function spawnTsx(script: string, name: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stderr?.on('data', (d: Buffer) => {
    const s = (stderrTail.get(child) ?? '') + d.toString();
    stderrTail.set(child, s.slice(-4000));
    if (process.env.LOAD_VERBOSE) process.stderr.write(`[${name}] ${d.toString()}`);
  });
  return child;
}

function waitForLine(child: ChildProcess, pred: (line: string) => boolean, what: string, ms = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error(`${what}: no answer in ${ms} ms\n${stderrTail.get(child) ?? ''}`)), ms);
    const onExit = (code: number | null) => fail(new Error(`${what}: exited (${code})\n${stderrTail.get(child) ?? ''}`));
    const fail = (err: Error) => {
      clearTimeout(timer);
      rl.close();
      child.off('exit', onExit);
      reject(err);
    };
    child.once('exit', onExit);
    rl.on('line', (line) => {
      if (!pred(line)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      rl.close();
      resolve(line);
    });
  });
}

function startWorker(name: string): ChildProcess {
  // the worker logs "render worker ready" (info) on stderr: keep info for it
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/render/worker-main.ts'], {
    env: { ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
    if (process.env.LOAD_VERBOSE) process.stderr.write(`[${name}] ${d.toString()}`);
  });
  (child as ChildProcess & { ready: Promise<void> }).ready = new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (tail.includes('render worker ready')) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`${name} exited (${code}): ${tail}`));
    });
  });
  return child;
}

// BullMQ's own record of jobs taken back from a silent (killed) worker and of finished/failed jobs
const events = new QueueEvents(RENDER_QUEUE_NAME, {
  connection: bullConnection(redis.url, { maxRetriesPerRequest: null }),
  prefix: RENDER_QUEUE_PREFIX,
});
events.on('error', () => {});
const counts = { stalled: 0, failed: 0, completed: 0, active: 0 };
events.on('active', () => void (counts.active += 1));
events.on('stalled', () => void (counts.stalled += 1));
events.on('failed', () => void (counts.failed += 1));
events.on('completed', () => void (counts.completed += 1));
await events.waitUntilReady();

const t = () => new Date().toISOString().slice(11, 19);
console.error(`${t()} postgres on :${pg.port}, redis on :${redis.port}; starting 2 render workers and 2 gateways`);
const workers = [startWorker('worker-1'), startWorker('worker-2')];
await Promise.all(workers.map((w) => (w as ChildProcess & { ready: Promise<void> }).ready));
const gateways = [spawnTsx('scripts/load-gateway.ts', 'gateway-1'), spawnTsx('scripts/load-gateway.ts', 'gateway-2')];
await Promise.all(gateways.map((g, i) => waitForLine(g, (l) => l === 'READY', `gateway-${i + 1} start`)));
console.error(`${t()} all up`);

interface PhaseResult {
  phase: string;
  sent: number;
  delivered: number;
  answeredOtherwise: number;
  lost: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  wallMs: number;
  answers: Record<string, number>;
  fault?: string;
  faultAtMs?: number;
  /** Worst event-loop delay of the two gateways during the phase (ms). */
  loopLagMaxMs: number;
  /** BullMQ events seen during the phase: jobs put back after their worker went silent, failed, completed. */
  jobs: typeof counts;
}

let nextUser = 0;
async function phase(name: string, fault?: () => Promise<string>, perGateway = PER_GATEWAY): Promise<PhaseResult> {
  const t0 = Date.now();
  const before = { ...counts };
  const results = gateways.map((g, i) =>
    waitForLine(g, (l) => l.startsWith('RESULT '), `gateway-${i + 1} ${name}`, RENDER_TIMEOUT_MS * 2 + 60_000),
  );
  for (const g of gateways) {
    g.stdin!.write(`run ${name.replace(/\s+/g, '-')} ${perGateway} ${nextUser}\n`);
    nextUser += perGateway;
  }
  let faultText: string | undefined;
  let faultAtMs: number | undefined;
  if (fault) {
    // ~1 s in, but not before the workers hold render jobs (the gateways' own steering passes come first
    // under this load), so that the fault hits jobs in flight
    await new Promise((r) => setTimeout(r, FAULT_AFTER_MS));
    while (counts.active - before.active < 20 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    faultAtMs = Date.now() - t0;
    faultText = await fault();
  }
  const parsed = (await Promise.all(results)).map(
    (l) => JSON.parse(l.slice('RESULT '.length)) as { wallMs: number; finished: boolean; inFlight: number; loopLagMs: { max: number }; requests: RequestOutcome[] },
  );
  const reqs = parsed.flatMap((p) => p.requests);
  const faces = reqs.filter((r) => r.outcome === 'face').map((r) => r.ms!).sort((a, b) => a - b);
  const answers: Record<string, number> = {};
  for (const r of reqs) if (r.outcome === 'text') answers[r.text!] = (answers[r.text!] ?? 0) + 1;
  for (const p of parsed) if (!p.finished) answers[`(gateway still busy with ${p.inFlight} at the end)`] = p.inFlight;
  return {
    phase: name,
    sent: reqs.length,
    delivered: faces.length,
    answeredOtherwise: reqs.filter((r) => r.outcome === 'text').length,
    lost: reqs.filter((r) => r.outcome === 'lost').length,
    p50Ms: percentile(faces, 50),
    p95Ms: percentile(faces, 95),
    maxMs: faces.at(-1) ?? NaN,
    wallMs: Math.max(...parsed.map((p) => p.wallMs)),
    answers,
    fault: faultText,
    faultAtMs,
    loopLagMaxMs: Math.max(...parsed.map((p) => p.loopLagMs.max)),
    jobs: {
      stalled: counts.stalled - before.stalled,
      failed: counts.failed - before.failed,
      completed: counts.completed - before.completed,
      active: counts.active - before.active,
    },
  };
}

const out: PhaseResult[] = [];
try {
  // a small warm-up so that the first phase does not pay for JIT/onnx first runs
  const warm = await phase('warmup', undefined, 5);
  console.error(`${t()} warm-up: ${warm.delivered}/${warm.sent} delivered`);

  out.push(await phase('no fault'));
  console.error(`${t()} phase 1 done`);

  out.push(
    await phase('kill -9 a render worker', async () => {
      const victim = workers[0]!;
      victim.kill('SIGKILL');
      // a restarted replacement, as a supervisor would start one (it comes up while the load still runs)
      const fresh = startWorker('worker-3');
      workers[0] = fresh;
      return `SIGKILL to render worker pid ${victim.pid}; replacement started at once`;
    }),
  );
  await (workers[0] as ChildProcess & { ready: Promise<void> }).ready;
  console.error(`${t()} phase 2 done`);

  out.push(
    await phase('restart Redis', async () => {
      const t1 = Date.now();
      await redis.stop();
      await redis.start();
      return `redis-server stopped (SIGTERM) and started again on the same port, empty, in ${Date.now() - t1} ms`;
    }),
  );
  console.error(`${t()} phase 3 done`);
} finally {
  for (const g of gateways) g.stdin!.write('quit\n');
  await events.close().catch(() => {});
  await Promise.race([
    Promise.all(gateways.map((g) => new Promise((r) => (g.exitCode !== null ? r(null) : g.once('exit', r))))),
    new Promise((r) => setTimeout(r, 10_000)),
  ]);
  for (const c of children) c.kill('SIGKILL');
  await redis.dispose();
  pg.destroy();
}

const ms = (v: number) => (Number.isFinite(v) ? `${(v / 1000).toFixed(1)} s` : 'n/a');
console.log(`\n${PER_GATEWAY * 2} concurrent /face describe per phase (2 gateways × ${PER_GATEWAY}), 2 render workers, PostgreSQL, Redis;`);
console.log(`RENDER_TIMEOUT_MS=${RENDER_TIMEOUT_MS}, RENDER_JOB_LOCK_MS=${RENDER_JOB_LOCK_MS}, QUEUE_CAPACITY=256; fault ≥${FAULT_AFTER_MS} ms in, once the workers hold ≥20 jobs\n`);
console.log('| phase | delivered | answered otherwise | lost | p50 | p95 | max | wall | gateway event-loop lag (max) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of out) {
  console.log(`| ${r.phase} | ${r.delivered} | ${r.answeredOtherwise} | ${r.lost} | ${ms(r.p50Ms)} | ${ms(r.p95Ms)} | ${ms(r.maxMs)} | ${ms(r.wallMs)} | ${ms(r.loopLagMaxMs)} |`);
}
for (const r of out) {
  console.log(`\n${r.phase}: ${r.fault ? `${r.fault} (at ${r.faultAtMs} ms); ` : ''}render jobs completed ${r.jobs.completed}, failed ${r.jobs.failed}, taken back from a silent worker ${r.jobs.stalled}`);
  for (const [text, n] of Object.entries(r.answers)) console.log(`  ${r.phase}: ×${n} "${text}"`);
}
console.log(`\n${JSON.stringify(out)}`);
process.exit(out.some((r) => r.lost > 0) ? 1 : 0);
