/**
 * npx tsx scripts/asked-grid.ts [--seeds 8] [--first-seed 4242] [--out docs/images]
 * Before/after grids of asked-for faces with the shipped models: for each description, a top row drawn as
 * before the seed search and the realism guard (the seed's own latent, the closed loop without the guard) and
 * a bottom row drawn as now (searched start, guarded loop), the same seeds in the same columns.
 * Writes <out>/asked-<description>.png (128 px tiles) and prints each face's realism distance.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { parseDescription } from '../src/grammar/index.js';
import { editFrom, faceLatentFor, searchedEdits } from '../src/conversation/engine.js';
import { loadFaceModels } from '../src/render/models.js';
import { LatentScorer } from '../src/render/scorer.js';
import { encodePng } from '../src/render/png.js';
import { RealismModel } from '../src/latent/realism.js';

export const ASKED = ['a young woman with glasses and a hat', 'an old man', 'older man, smiling, more beard, receding hairline'];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seeds: { type: 'string', default: '8' }, 'first-seed': { type: 'string', default: '4242' }, out: { type: 'string', default: 'docs/images' } } });
  const n = Number(values.seeds);
  const first = Number(values['first-seed']);
  const models = await loadFaceModels({ modelsDir: path.resolve('models'), provider: 'cpu', renderSize: 128, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000 });
  const realism = RealismModel.fromFile('models/realism.json');
  const plain = new LatentScorer(models.generator, models.classifier, models.axes.probes());
  const scored = models.scorer;
  fs.mkdirSync(values.out!, { recursive: true });
  for (const words of ASKED) {
    const edits = [editFrom(words, parseDescription(words))];
    const rows: Float32Array[][] = [[], []];
    for (let i = 0; i < n; i++) {
      const face = { seed: first + i, edits, truncation: 0.8 };
      rows[0]!.push((await faceLatentFor(face, models.axes, plain)).z);
      const searched = await searchedEdits(face, models.axes, scored);
      rows[1]!.push((await faceLatentFor({ ...face, edits: searched }, models.axes, scored)).z);
    }
    const side = 128;
    const tiles: OverlayOptions[] = [];
    const dists: string[] = [];
    for (const [r, zs] of rows.entries()) {
      const batch = await models.generator.generate(zs);
      const reads = await scored.read(zs);
      dists.push(reads.map((x) => x.realism!.toFixed(2)).join(' '));
      for (let j = 0; j < zs.length; j++) tiles.push({ input: await encodePng(batch, j, side), left: j * (side + 2), top: r * (side + 6) });
    }
    const file = path.join(values.out!, `asked-${words.replace(/[^a-z]+/g, '-').replace(/-$/, '')}.png`);
    await sharp({ create: { width: n * (side + 2) - 2, height: 2 * side + 6, channels: 3, background: '#fff' } }).composite(tiles).png().toFile(file);
    console.log(`${file}\n  before: ${dists[0]}\n  after:  ${dists[1]}`);
  }
  void realism;
  await models.close();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
