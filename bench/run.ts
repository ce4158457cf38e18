/**
 * npm run bench [-- --axes] [-- --models-dir DIR] [-- --only photo --encoder FILE]
 * Prints figures (no pass/fail): parser throughput, render latency and batched throughput with the
 * shipped models, the cost of the closed loop per face, a one-message face with the seed search and the realism guard against without, a one-message face through the engine (describe: p50/p90, the runs of each network, the search's cost per candidate; --faces N seeds a description), the time to discover the axes, 50 concurrent /face describe through the bot layer, ms per /face morph, the four-up grid (pick from four), ms per /face mix and analogy, a refine's cost against the length of the face's chain, the time to invert one photo (--encoder FILE when models/ has none), and a refine's cost with the identity hold against without.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/conversation/engine.js';
import { engineModels, loadFaceModels } from '../src/render/models.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { RECENT_FACES } from '../src/render/recent.js';
import { benchBotLoad } from './bot-load.js';
import { benchParser } from './parser.js';
import { benchRender } from './render.js';
import { benchSteer } from './steer.js';
import { benchSearch } from './search.js';
import { benchDescribe } from './describe.js';
import { benchMorph } from './morph.js';
import { benchGrid } from './grid.js';
import { benchMix } from './mix.js';
import { benchVary } from './vary.js';
import { benchChain } from './chain.js';
import { benchPhoto } from './photo.js';
import { benchIdentityHold } from './identity-hold.js';
import { spawnSync } from 'node:child_process';

const { values } = parseArgs({
  options: {
    'models-dir': { type: 'string', default: 'models' },
    axes: { type: 'boolean', default: false },
    only: { type: 'string' },
    'grid-out': { type: 'string' },
    encoder: { type: 'string' },
    faces: { type: 'string' },
  },
});
const modelsDir = path.resolve(values['models-dir']!);
const want = (name: string) => !values.only || values.only.split(',').includes(name);

async function benchAxes(): Promise<void> {
  const file = JSON.parse(fs.readFileSync(path.join(modelsDir, 'axes.json'), 'utf8')) as { seconds?: number; samples?: number };
  console.log(`axes discovery: ${file.seconds ?? '?'} s for ${file.samples ?? '?'} samples when models/axes.json was made`);
  if (!values.axes) {
    console.log('  (npm run bench -- --axes re-runs it now)');
    return;
  }
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-axes-')), 'axes.json');
  const t0 = performance.now();
  const r = spawnSync('node_modules/.bin/tsx', ['src/cli/axes.ts', '--models-dir', modelsDir, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`axes discovery failed: ${r.stderr}`);
  console.log(`  re-run now: ${((performance.now() - t0) / 1000).toFixed(1)} s wall, model load included`);
}

async function benchBot(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bot-'));
  const store = openSqliteStore(path.join(dir, 'bench.db'));
  // as the bot loads them (modelConfigFrom): remembering the faces drawn and read last
  const models = await loadFaceModels({ modelsDir, provider: 'auto', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 20_000, recentFaces: RECENT_FACES });
  const engine = createEngine({ store, ...engineModels(models) });
  console.log(`bot layer, real models (provider ${models.provider}), 50 concurrent /face describe:`);
  await benchBotLoad(engine);
  await models.close();
  await store.close();
}

async function main(): Promise<void> {
  console.log(`tellaface bench: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}`);
  if (want('parser')) await benchParser();
  if (want('render')) await benchRender(modelsDir);
  if (want('steer')) await benchSteer(modelsDir);
  if (want('search')) await benchSearch(modelsDir);
  if (want('describe')) await benchDescribe(modelsDir, Number(values.faces ?? 30));
  if (want('axes')) await benchAxes();
  if (want('bot')) await benchBot();
  if (want('morph')) await benchMorph(modelsDir);
  if (want('grid')) await benchGrid(modelsDir, 12, values['grid-out']);
  if (want('mix')) await benchMix(modelsDir);
  if (want('chain')) await benchChain(modelsDir);
  if (want('photo')) await benchPhoto(modelsDir, values.encoder ? path.resolve(values.encoder) : undefined);
  if (want('identity')) await benchIdentityHold(modelsDir);
  // opt-in (about 90 s a description): how close vary's neighbours stay, against rerolls
  if (values.only?.split(',').includes('vary')) await benchVary(modelsDir);
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
