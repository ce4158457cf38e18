/**
 * The abuse probe (issue 29): the shipped code tried as an attacker and an unlucky operator would, printing
 * figures the next change can be measured against (docs/abuse-probe.md):
 *   fuzz      junk through the grammar: crashes, hangs, slowest ms, issue 29's junk that still makes weights
 *   kill      the chat (real models, SQLite) killed with kill -9 mid-request and restarted: faces shown but
 *             lost, integrity_check, PNGs not whole, temporary files left, the right face continued
 *   disk      the chat on a 1 MB tmpfs until it fills (root only): "the disk is full" said, nothing half-saved
 *   postgres  the chat on a throwaway PostgreSQL stopped (immediate) and started mid-run
 *   redis     RENDER_WORKERS=redis: start-up with Redis unreachable, a wrong password, a bad database; then
 *             Redis stopped and started mid-run with a render worker
 *
 *   npx tsx scripts/abuse.ts [--only fuzz,kill,disk,postgres,redis] [--fuzz 100000] [--kills 6] [--lines 6]
 */
import { parseArgs } from 'node:util';
import { fullDisk, killNine, postgresRestart, redisFaults, removeTempDirs } from './abuse/chat-faults.js';
import { fuzz } from './abuse/fuzz.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    fuzz: { type: 'string', default: '100000' },
    kills: { type: 'string', default: '6' },
    lines: { type: 'string', default: '6' },
  },
});
const want = (name: string) => !values.only || values.only.split(',').includes(name);
const lines = Number(values.lines);
const results: Record<string, unknown> = {};

async function section(name: string, run: () => unknown): Promise<void> {
  if (!want(name)) return;
  const t0 = performance.now();
  try {
    results[name] = await run();
  } catch (err) {
    results[name] = { failed: err instanceof Error ? err.message : String(err) };
  }
  console.log(`${name} (${((performance.now() - t0) / 1000).toFixed(0)} s):`, JSON.stringify(results[name]));
}

await section('fuzz', () => fuzz(Number(values.fuzz)));
await section('kill', () => killNine(Number(values.kills)));
await section('disk', () => fullDisk(40));
await section('postgres', () => postgresRestart(lines));
await section('redis', () => redisFaults(lines));
removeTempDirs();
console.log(JSON.stringify(results));
process.exit(0);
