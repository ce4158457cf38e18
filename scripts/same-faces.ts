/**
 * Draws faces through the engine (describe, then refinements replying to it, then a reroll, as the chat and the bot do) with
 * the shipped models and writes what each drew: the latent (exact bytes), the search's pick, the shortfalls,
 * and the reply PNG's SHA-256. Run it on two versions of the code and compare: a change meant to make faces
 * cheaper must draw the same faces.
 *
 *   npx tsx scripts/same-faces.ts --out /tmp/after.json [--seeds 6]
 *   npx tsx scripts/same-faces.ts --compare /tmp/before.json /tmp/after.json
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/conversation/engine.js';
import { engineModels, loadFaceModels } from '../src/render/models.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { mulberry32 } from '../src/latent/seed.js';

const CASES: Array<{ describe: string; refine: string[] }> = [
  { describe: 'a young woman with glasses and a hat', refine: ['make her smile'] },
  { describe: 'an old man', refine: ['make him younger', 'add glasses'] },
  { describe: 'a man with a beard', refine: ['no beard'] },
  { describe: 'a young woman with blond hair', refine: ['make her 60 years old'] },
  { describe: 'an old man with glasses, smiling', refine: ['make him a woman', 'add a hat'] },
  { describe: 'more smile', refine: ['put a hat on him'] },
];

interface Drawn {
  words: string;
  seed: number;
  z: string;
  start?: unknown;
  notes: string[];
  png: string;
}

async function draw(seeds: number): Promise<Drawn[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'same-faces-'));
  const store = openSqliteStore(path.join(dir, 'faces.db'));
  const models = await loadFaceModels({ modelsDir: path.resolve('models'), provider: 'cpu', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 120_000, recentFaces: 256 });
  const deps = engineModels(models);
  let lastZ: Float32Array | undefined;
  const renderer = {
    zDim: deps.renderer.zDim,
    renderPng: (z: Float32Array, o?: Parameters<typeof deps.renderer.renderPng>[1]) => ((lastZ = Float32Array.from(z)), deps.renderer.renderPng(z, o)),
    runInLine: deps.renderer.runInLine.bind(deps.renderer),
  };
  // a reroll of a face the search did not start takes a new random seed: the same one in both runs
  const engine = createEngine({ store, ...deps, renderer, random: mulberry32(24) });
  const out: Drawn[] = [];
  const record = (words: string, seed: number, reply: Awaited<ReturnType<typeof engine.describe>>) => {
    // a reply in words (a refinement that would change nothing) is recorded as its text: it must stay so too
    if (reply.kind === 'text') return void out.push({ words, seed, z: '', notes: [`${reply.reason}: ${reply.text}`], png: '' });
    out.push({
      words, seed, z: Buffer.from(lastZ!.buffer).toString('base64'), start: reply.face.edits[0]?.start, notes: reply.notes,
      png: createHash('sha256').update(reply.png).digest('hex'),
    });
  };
  for (const c of CASES) {
    for (let s = 0; s < seeds; s++) {
      const seed = 4242 + s;
      const ctx = { userId: `u-${seed}-${c.describe}` };
      record(c.describe, seed, await engine.describe(ctx, c.describe, seed));
      for (const words of c.refine) record(`${c.describe} → ${words}`, seed, await engine.refine(ctx, words));
      // another face for the whole chain: the seed's next candidate set, every edit steered again
      record(`${c.describe} → … → reroll`, seed, await engine.reroll(ctx));
    }
  }
  await models.close();
  await store.close();
  return out;
}

function compare(a: Drawn[], b: Drawn[]): number {
  if (a.length !== b.length) throw new Error(`${a.length} faces against ${b.length}`);
  let differ = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    const what = (['z', 'png', 'start', 'notes'] as const).filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
    if (x.words !== y.words || x.seed !== y.seed) throw new Error(`face ${i}: "${x.words}" ${x.seed} against "${y.words}" ${y.seed}`);
    if (what.length > 0) {
      differ++;
      console.log(`differs: "${x.words}" seed ${x.seed}: ${what.join(', ')}`);
    }
  });
  console.log(`${a.length - differ} of ${a.length} faces the same (latent bytes, search pick, notes, reply PNG)`);
  return differ;
}

const { values, positionals } = parseArgs({ options: { out: { type: 'string' }, seeds: { type: 'string', default: '6' }, compare: { type: 'boolean' } }, allowPositionals: true });
if (values.compare) {
  const [a, b] = positionals.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Drawn[]);
  if (!a || !b) throw new Error('--compare BEFORE.json AFTER.json');
  process.exit(compare(a, b) === 0 ? 0 : 1);
} else {
  const drawn = await draw(Number(values.seeds));
  fs.writeFileSync(values.out ?? '/dev/stdout', JSON.stringify(drawn, null, 1));
  console.error(`${drawn.length} faces drawn`);
}
