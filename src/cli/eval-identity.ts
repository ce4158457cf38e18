/**
 * npm run eval:identity [-- --seeds 40 --first-seed 1 --cases 0,1,5 --identity FILE --band X --json FILE --models-dir DIR]
 *
 * Whether refinements keep the person (docs/identity-hold.md, issue 25): the issue's single refinements and chains
 * on fixed seeds, each steered as the engine steers it, once with the identity hold and once without, read by the
 * identity network. Prints per step: the share of seeds still the same person by the network's threshold and
 * closer to the first render than another seed's face from the same words is, the goals reached, the earlier
 * edits still kept, and the cost (G+F passes and milliseconds per refinement).
 * --identity points at an identity.onnx (with its identity.json beside it) when models/ has none. --search-cache FILE
 * keeps the seed search's picks for the described faces between runs (keyed by the models' version).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Edit } from '../face/record.js';
import { batchReads } from '../latent/steer.js';
import { SteerCache } from '../latent/steer-cache.js';
import { IDENTITY_FILE, IDENTITY_INFO_FILE, identityThreshold } from '../render/identity-hold-models.js';
import { loadFaceModels } from '../render/models.js';
import { cliConfig, UsageError } from './args.js';
import { describeFaces, IDENTITY_CASES, refineFaces, summarise, type CaseSummary } from './identity-eval.js';

const config = cliConfig('eval:identity');
const say = (line: string) => process.stderr.write(`${line}\n`);
const pct = (x: number) => `${Math.round(100 * x)}%`;

/** A folder with the models of `modelsDir` and the identity network `onnx` (and the identity.json beside it). */
function withIdentity(modelsDir: string, onnx: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-identity-'));
  for (const f of fs.readdirSync(modelsDir)) fs.symlinkSync(path.join(modelsDir, f), path.join(dir, f));
  for (const [from, to] of [[onnx, IDENTITY_FILE], [path.join(path.dirname(onnx), IDENTITY_INFO_FILE), IDENTITY_INFO_FILE]] as const) {
    fs.rmSync(path.join(dir, to), { force: true });
    if (fs.existsSync(from)) fs.symlinkSync(path.resolve(from), path.join(dir, to));
  }
  return dir;
}

function looseThreshold(file: string): number | undefined {
  try {
    const v = (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>).threshold;
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

function line(arm: string, s: CaseSummary['steps'][number], threshold: number): string {
  const loose = s.samePersonLoose !== undefined ? ` (${pct(s.samePersonLoose)} at the loose threshold)` : '';
  return `    ${arm.padEnd(9)} same person (d <= ${threshold.toFixed(3)}) ${pct(s.samePerson).padStart(4)}${loose}, closer than another seed ${pct(s.closerThanOther).padStart(4)}, ` +
    `median d ${s.medianDrift.toFixed(3)}; goal reached ${pct(s.reached).padStart(4)} (no shortfall told ${pct(s.noneTold)})` +
    `${s.someoneElse > 0 ? ` (held back for identity ${pct(s.someoneElse)})` : ''}; earlier goals kept ${s.earlierKept}/${s.earlierMet}; ` +
    `${s.meanPasses.toFixed(1)} passes, ${s.meanMs.toFixed(0)} ms`;
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      seeds: { type: 'string', default: '40' }, 'first-seed': { type: 'string', default: '1' }, cases: { type: 'string' },
      identity: { type: 'string' }, band: { type: 'string' }, json: { type: 'string' }, 'models-dir': { type: 'string' },
      'search-cache': { type: 'string' },
    },
  });
  const count = Number(flags.seeds);
  const first = Number(flags['first-seed']);
  if (!Number.isInteger(count) || count < 2 || count > 10_000) throw new UsageError('--seeds must be an integer in 2..10000');
  if (!Number.isInteger(first) || first < 0) throw new UsageError('--first-seed must be a whole number');
  const picked = flags.cases === undefined ? IDENTITY_CASES.map((_, i) => i) : flags.cases.split(',').map(Number);
  if (picked.some((i) => !Number.isInteger(i) || !IDENTITY_CASES[i])) throw new UsageError(`--cases takes numbers in 0..${IDENTITY_CASES.length - 1}, comma-separated`);
  const band = flags.band === undefined ? undefined : Number(flags.band);
  if (band !== undefined && !(band > 0 && band <= 2)) throw new UsageError('--band must be a number in (0, 2]');
  let modelsDir = path.resolve(flags['models-dir'] ?? config.MODELS_DIR);
  if (flags.identity) {
    if (!fs.existsSync(flags.identity)) throw new UsageError(`${flags.identity} does not exist`);
    modelsDir = withIdentity(modelsDir, flags.identity);
  }
  const info = identityThreshold(path.join(modelsDir, IDENTITY_INFO_FILE));
  if (!fs.existsSync(path.join(modelsDir, IDENTITY_FILE))) throw new UsageError(`${modelsDir} has no ${IDENTITY_FILE}: give one with --identity FILE`);
  if (info.problem && band === undefined) throw new UsageError(`${info.problem}: give the band with --band`);
  const threshold = info.threshold ?? band!;
  // the network's loose threshold (best accuracy on held-out people), beside the strict one the hold defaults to
  const loose = looseThreshold(path.join(modelsDir, IDENTITY_INFO_FILE));
  const models = await loadFaceModels({
    modelsDir, provider: config.EXECUTION_PROVIDER, renderSize: 64, queueCapacity: 64, maxBatch: 32, timeoutMs: 600_000,
    identity: { hold: 'on', ...(band !== undefined ? { band } : {}) },
  });
  const held = models.axes;
  if (!held.identityHold) throw new UsageError('the identity network did not load (see the warning above)');
  const open = held.withIdentityHold(undefined);
  // every face read by the identity network (options dropped): the eval measures every face's identity, held or not
  const read = batchReads((zs) => models.scorer.read(zs));
  const seeds = Array.from({ length: count }, (_, i) => first + i);
  const cacheFile = flags['search-cache'];
  const stored = cacheFile && fs.existsSync(cacheFile) ? JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { g?: string; picks?: Record<string, Edit[]> } : {};
  // the picks depend on G, F and the axes, not on the identity network
  const searchedBy = models.version.split('/i:')[0]!;
  const searched = new Map(stored.g === searchedBy ? Object.entries(stored.picks ?? {}) : []);
  const from = info.threshold !== undefined ? "the network's strict threshold in identity.json (FAR 1e-2, else its threshold)" : 'the --band given, identity.json has none';
  say(`seeds ${first}..${first + count - 1}; same person: identity distance <= ${threshold} (${from}); hold band ${held.identityHold.band}`);
  const out: Array<{ case: string; held: CaseSummary; open: CaseSummary }> = [];
  try {
    for (const i of picked) {
      const c = IDENTITY_CASES[i]!;
      const t0 = Date.now();
      const described = await describeFaces(c, seeds, held, models.scorer, read, config.TRUNCATION, new SteerCache(), searched);
      if (cacheFile) fs.writeFileSync(cacheFile, JSON.stringify({ g: searchedBy, picks: Object.fromEntries(searched) }));
      const withHold = summarise(c, await refineFaces(c, described, held, read), threshold, loose);
      const without = summarise(c, await refineFaces(c, described, open, read), threshold, loose);
      say(`${withHold.words} (${count} seeds, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      withHold.steps.forEach((s, k) => {
        say(`  after "${s.words}":`);
        say(line('held', s, threshold));
        say(line('not held', without.steps[k]!, threshold));
      });
      out.push({ case: withHold.words, held: withHold, open: without });
    }
  } finally {
    await models.close();
  }
  const result = { seeds: [first, first + count - 1], threshold, ...(loose !== undefined ? { loose } : {}), band: held.identityHold.band, version: models.version, cases: out };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (flags.json) fs.writeFileSync(flags.json, `${JSON.stringify(result, null, 1)}\n`);
}

main().catch((err) => {
  say(err instanceof UsageError ? `eval:identity: ${err.message}` : String(err instanceof Error ? err.stack : err));
  process.exitCode = err instanceof UsageError ? 2 : 1;
});
