/**
 * npx tsx scripts/realism-check.ts [--seeds N] [--out DIR]
 * Does the realism guard track what we see? Scores unedited seeds and the same seeds steered to a few heavy
 * descriptions (the engine's closed loop), prints the distance's percentiles per set, and writes one strip per
 * set sorted by distance (most real first; DIR/<set>.png, 64 px tiles) to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { parseDescription } from '../src/grammar/index.js';
import { editFrom, faceLatentFor } from '../src/conversation/engine.js';
import { loadFaceModels } from '../src/render/models.js';
import { toRgbBytes } from '../src/render/png.js';
import { keepInRange } from '../src/latent/edit.js';
import { seedToLatent } from '../src/latent/seed.js';
import { truncate } from '../src/latent/truncation.js';
import { percentile } from '../bench/stats.js';
import * as ort from 'onnxruntime-node';

const SETS = ['', 'an old man', 'a young woman with glasses and a hat', 'older man, smiling, more beard, receding hairline'];

function ranks(a: number[]): number[] {
  const r = new Array<number>(a.length);
  a.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]).forEach(([, i], k) => (r[i] = k));
  return r;
}
function spearman(a: number[], b: number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  return 1 - (6 * ra.reduce((s, v, i) => s + (v - rb[i]!) ** 2, 0)) / (n * (n * n - 1));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seeds: { type: 'string', default: '24' }, out: { type: 'string', default: '/tmp/realism-check' } } });
  const n = Number(values.seeds);
  fs.mkdirSync(values.out!, { recursive: true });
  const models = await loadFaceModels({ modelsDir: path.resolve('models'), provider: 'cpu', renderSize: 64, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000 });
  const read = (zs: Float32Array[]) => models.scorer.read(zs);
  const critic = fs.existsSync('training/work/critic.onnx') ? await ort.InferenceSession.create('training/work/critic.onnx') : undefined;
  const dScore = async (zs: Float32Array[]): Promise<number[]> => {
    if (!critic) return zs.map(() => Number.NaN);
    const b = await models.generator.generate(zs);
    const out = await critic.run({ image: new ort.Tensor('float32', b.data, [b.count, 3, b.size, b.size]) });
    return Array.from(out.realness!.data as Float32Array);
  };
  const strip = async (name: string, zs: Float32Array[], score: number[]) => {
    const order = score.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    const batch = await models.generator.generate(order.map(([, i]) => zs[i]!));
    const side = batch.size;
    const tiles = order.map((_, j) => ({ input: toRgbBytes(batch, j), raw: { width: side, height: side, channels: 3 as const }, left: (j % 12) * side, top: Math.floor(j / 12) * side }));
    await sharp({ create: { width: 12 * side, height: Math.ceil(zs.length / 12) * side, channels: 3, background: '#fff' } }).composite(tiles).png().toFile(path.join(values.out!, `${name}.png`));
    return order.map(([v]) => v.toFixed(1)).join(' ');
  };
  for (const words of SETS) {
    const zs: Float32Array[] = [];
    for (let s = 0; s < n; s++) {
      const face = { seed: 5_000 + s, edits: words ? [editFrom(words, parseDescription(words))] : [], truncation: 0.8 };
      zs.push(words ? (await faceLatentFor(face, models.axes, models.scorer, read)).z : keepInRange(truncate(seedToLatent(face.seed, models.axes.zDim), 0.8)));
    }
    const readings = await read(zs);
    const d = readings.map((r) => r.realism ?? Number.NaN);
    const name = words ? words.replace(/[^a-z]+/g, '-') : 'unedited';
    const byF = await strip(`${name}.F`, zs, d);
    const ds = await dScore(zs);
    const byD = await strip(`${name}.D`, zs, ds.map((v) => -v));
    console.log(`${(words || 'unedited seed').padEnd(52)} F-density distance p10 ${percentile(d, 10).toFixed(2)} p50 ${percentile(d, 50).toFixed(2)} p90 ${percentile(d, 90).toFixed(2)}; D p10 ${percentile(ds, 10).toFixed(2)} p50 ${percentile(ds, 50).toFixed(2)} p90 ${percentile(ds, 90).toFixed(2)}; rank corr ${spearman(d, ds.map((v) => -v)).toFixed(2)}`);
    console.log(`   by F-density: ${byF}\n   by -D: ${byD}`);
  }
  await models.close();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
