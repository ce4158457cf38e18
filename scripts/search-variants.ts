/**
 * npx tsx scripts/search-variants.ts [--seeds 8] [--first-seed 4242] [--out /tmp/v24] [--words "a,b"] [--variants shipped,wide]
 * Grids to compare seed-search tunings by eye with the shipped models: one PNG per description, one row per
 * tuning (the same seeds in the same columns), each face searched and then steered by the guarded loop as the
 * chat draws it. Prints, per row, F's reading of each goal on the final faces and the critic's realism.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { parseDescription } from '../src/grammar/index.js';
import { editFrom, faceLatentFor } from '../src/conversation/engine.js';
import { loadFaceModels } from '../src/render/models.js';
import { encodePng } from '../src/render/png.js';
import { withStart } from '../src/latent/candidates.js';
import { readingLogit } from '../src/latent/steer.js';
import type { AttributeName } from '../src/face/attributes.js';
import { searchSeed, type SearchTuning } from '../src/latent/seed-search.js';

const VARIANTS: Record<string, SearchTuning | 'none'> = {
  /** the seed's own latent, no search */
  none: 'none',
  /** the first shipped search: 1,024 / 64 / 4, realism counted only beyond REALISM_LIMIT */
  first: { candidates: 1024, screened: 64, rendered: 4, realismWeight: 4, realismFrom: 1.6 },
  /** the search's defaults now */
  shipped: {},
  wide: { candidates: 4096, screened: 128, rendered: 8, realismWeight: 4, realismFrom: 1.6 },
  wider: { candidates: 16384, screened: 256, rendered: 8, realismWeight: 4, realismFrom: 1.6 },
  critic4: { candidates: 1024, screened: 64, rendered: 4, realismWeight: 4, realismFrom: 0.9 },
  wideCritic: { candidates: 4096, screened: 128, rendered: 8, realismWeight: 4, realismFrom: 0.9 },
  wideCritic8: { candidates: 4096, screened: 128, rendered: 8, realismWeight: 8, realismFrom: 0.9 },
  read16Critic12: { candidates: 1024, screened: 128, rendered: 16, realismWeight: 12, realismFrom: 0.9 },
  mid: { candidates: 1024, screened: 64, rendered: 8, realismWeight: 8, realismFrom: 1.25 },
  mild: { candidates: 1024, screened: 64, rendered: 8, realismWeight: 4, realismFrom: 0.9 },
  mid4: { candidates: 1024, screened: 64, rendered: 4, realismWeight: 8, realismFrom: 1.25 },
  max: { candidates: 16384, screened: 256, rendered: 16, realismWeight: 12, realismFrom: 0.9 },
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    seeds: { type: 'string', default: '8' }, 'first-seed': { type: 'string', default: '4242' }, out: { type: 'string', default: '/tmp/v24' },
    words: { type: 'string', default: 'a young woman with glasses and a hat;an old man;a young man with a beard and a hat' },
    variants: { type: 'string', default: Object.keys(VARIANTS).join(',') },
    'start-only': { type: 'boolean', default: false },
  } });
  const n = Number(values.seeds);
  const first = Number(values['first-seed']);
  const names = values.variants!.split(',');
  const models = await loadFaceModels({ modelsDir: path.resolve('models'), provider: 'cpu', renderSize: 128, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000 });
  const scorer = models.scorer;
  const read = (zs: Float32Array[]) => scorer.read!(zs);
  fs.mkdirSync(values.out!, { recursive: true });
  for (const words of values.words!.split(';')) {
    const parse = parseDescription(words);
    const edits = [editFrom(words, parse)];
    const goalNames = Object.keys(parse.weights);
    const side = 128;
    const tiles: OverlayOptions[] = [];
    for (const [row, name] of names.entries()) {
      const tuning = VARIANTS[name]!;
      const zs: Float32Array[] = [];
      const t0 = Date.now();
      for (let i = 0; i < n; i++) {
        const face = { seed: first + i, edits, truncation: 0.8 };
        const found = tuning === 'none' ? undefined : await searchSeed(face, models.axes, read, 0, tuning);
        if (values['start-only'] && found) zs.push(found.z);
        else zs.push((await faceLatentFor({ ...face, edits: withStart(edits, found?.start) }, models.axes, scorer)).z);
      }
      const ms = (Date.now() - t0) / n;
      const batch = await models.generator.generate(zs);
      const reads = await read(zs);
      const goals = goalNames.map((g) => `${g} ${reads.map((r) => readingLogit(r, g as AttributeName)?.toFixed(1) ?? '?').join(' ')}`);
      console.log(`${words} | ${name} (${ms.toFixed(0)} ms/face)\n  realism ${reads.map((r) => r.realism?.toFixed(2)).join(' ')}\n  age ${reads.map((r) => r.age?.toFixed(0)).join(' ')}\n  ${goals.join('\n  ')}`);
      for (let j = 0; j < zs.length; j++) tiles.push({ input: await encodePng(batch, j, side), left: j * (side + 2), top: row * (side + 6) });
    }
    const file = path.join(values.out!, `${words.replace(/[^a-z]+/g, '-').replace(/-$/, '')}.png`);
    await sharp({ create: { width: n * (side + 2) - 2, height: names.length * (side + 6) - 6, channels: 3, background: '#fff' } }).composite(tiles).png().toFile(file);
    console.log(file);
  }
  await models.close();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
