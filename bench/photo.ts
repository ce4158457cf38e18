import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createEngine } from '../src/conversation/engine.js';
import { alignPhoto } from '../src/photo/align.js';
import { decodePhoto } from '../src/photo/decode.js';
import { Encoder, readEncoderInfo } from '../src/render/encoder.js';
import { ModelPhotoInverter } from '../src/photo/inverter.js';
import { DEFAULT_PHOTO_LIMITS } from '../src/photo/limits.js';
import { engineModels, loadFaceModels } from '../src/render/models.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { percentile } from './stats.js';

const RUNS = 10;
/** A refinement to price when encoder.json has none: 3 rounds of 16 candidates and the residual one. */
const TRY_RECIPE = { rounds: 3, candidates: 16, sigma: 0.3, decay: 0.6, gain: 1, residual: true, weights: { pixel: 1, feature: 0.5, identity: 0 } };

const ms = (a: number[]) => `median ${percentile(a, 50).toFixed(0)} ms, p90 ${percentile(a, 90).toFixed(0)} ms`;

async function timeIt(fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t0 = performance.now();
    await fn();
    if (i > 0) out.push(performance.now() - t0); // the first is warm-up
  }
  return out;
}

/**
 * Inverting one photo (the issue's "under 2 s on 2 cores"), by stage, with the shipped models and the encoder
 * (models/encoder.onnx, or --encoder FILE): decode, find and align the face, the inversion (encoder, then
 * encoder.json's refinement), and the whole /photo request through the engine (with the 256 px render, the
 * label and the save). Two uploads: the committed test photo (320x300 PNG) and it scaled to a phone-sized
 * 2000x1875 JPEG.
 */
export async function benchPhoto(modelsDir: string, encoderFile = path.join(modelsDir, 'encoder.onnx')): Promise<void> {
  if (!fs.existsSync(encoderFile)) {
    console.log(`photo inversion: skipped, no ${encoderFile} (pass --encoder FILE)`);
    return;
  }
  const models = await loadFaceModels({ modelsDir, provider: 'cpu', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000 });
  const encoder = await Encoder.load(encoderFile, 'cpu');
  const recipe = readEncoderInfo(encoderFile.replace(/\.onnx$/, '.json')).refine ?? null;
  const inverter = new ModelPhotoInverter(encoder, models.generator, models.classifier, recipe);
  const store = openSqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-photo-')), 'bench.db'));
  const engine = createEngine({ store, ...engineModels(models), photo: { inverter } });
  const small = fs.readFileSync('tests/fixtures/photo/face.png');
  const large = await sharp(small).resize(2000, 1875).jpeg({ quality: 90 }).toBuffer();
  console.log(`photo inversion (provider ${models.provider}, ${os.availableParallelism()} cores; encoder ${encoderFile}; refinement ${recipe ? `${recipe.rounds} rounds x ${recipe.candidates}${recipe.residual ? ' + residual' : ''}, sigma ${recipe.sigma} x ${recipe.decay}^round` : 'none in encoder.json'})`);
  for (const [name, bytes] of [['320x300 PNG', small], ['2000x1875 JPEG', large]] as const) {
    const decode = await timeIt(() => decodePhoto(bytes, DEFAULT_PHOTO_LIMITS));
    const decoded = await decodePhoto(bytes, DEFAULT_PHOTO_LIMITS);
    const align = await timeIt(() => alignPhoto(decoded));
    const aligned = await alignPhoto(decoded);
    const invert = await timeIt(() => inverter.invert(aligned.pixels));
    const whole = await timeIt(() => engine.photo!({ userId: 'bench' }, { bytes }));
    console.log(`  ${name}: decode ${ms(decode)}; find + align ${ms(align)}; inversion ${ms(invert)}; whole /photo request ${ms(whole)}`);
  }
  if (!recipe) {
    const tried = new ModelPhotoInverter(encoder, models.generator, models.classifier, TRY_RECIPE);
    const aligned = await alignPhoto(await decodePhoto(small, DEFAULT_PHOTO_LIMITS));
    console.log(`  inversion with a ${TRY_RECIPE.rounds} x ${TRY_RECIPE.candidates} refinement (not shipped, priced): ${ms(await timeIt(() => tried.invert(aligned.pixels)))}`);
  }
  await encoder.close();
  await models.close();
  await store.close();
}
