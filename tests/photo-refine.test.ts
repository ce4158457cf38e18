import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropForBox, mainFaces } from '../src/photo/align.js';
import { ModelPhotoInverter } from '../src/photo/inverter.js';
import { gaussianNoise, refineLatent } from '../src/photo/refine.js';
import { Encoder, readEncoderInfo } from '../src/render/encoder.js';
import { loadFaceModels, type FaceModels } from '../src/render/models.js';

let models: FaceModels;
let encoder: Encoder;
beforeAll(async () => {
  models = await loadFaceModels({
    modelsDir: path.resolve('tests/fixtures/models'), provider: 'cpu', renderSize: 64, queueCapacity: 8, maxBatch: 32, timeoutMs: 60_000,
  });
  encoder = await Encoder.load('tests/fixtures/models/encoder.onnx', 'cpu');
});
afterAll(async () => {
  await encoder?.close();
  await models?.close();
});

describe('the gradient-free refinement', () => {
  const recipe = { rounds: 6, candidates: 24, sigma: 0.3, decay: 0.8, gain: 1, residual: false, weights: { pixel: 1, feature: 0.5, identity: 0 } };

  it('moves a latent that is off towards the photo, by pixels and F features, and never away', async () => {
    const noise = gaussianNoise(3);
    const truth = Float32Array.from({ length: models.generator.zDim }, () => noise());
    const photo = (await models.generator.generate([truth])).data.slice();
    const inverter = new ModelPhotoInverter(encoder, models.generator, models.classifier, recipe);
    const loss = await inverter.lossTo(photo, recipe.weights);
    const start = truth.map((x) => x + 0.8 * noise());
    const r = await refineLatent(start, recipe, loss);
    expect(r.before).toBeCloseTo((await loss([start]))[0]!, 6);
    expect(r.after).toBeLessThan(0.7 * r.before);
    const dist = (a: Float32Array) => Math.hypot(...a.map((x, i) => x - truth[i]!));
    expect(dist(r.z)).toBeLessThan(dist(start));
    // the encoder alone (the fixture's is G's exact inverse) already lands on it; refining keeps it there
    const full = await inverter.invert(photo);
    expect(full.refined!.after).toBeLessThanOrEqual(full.refined!.before);
    expect(dist(full.z)).toBeLessThan(0.05);
  });

  it("the residual candidate (E(x) - E(G(best))) takes a latent that is off straight to the photo with an exact encoder", async () => {
    const noise = gaussianNoise(5);
    const truth = Float32Array.from({ length: models.generator.zDim }, () => 0.5 * noise());
    const photo = (await models.generator.generate([truth])).data.slice();
    const exact = { ...recipe, rounds: 1, candidates: 1, sigma: 0, residual: true };
    const inverter = new ModelPhotoInverter(encoder, models.generator, models.classifier, exact);
    const start = truth.map((x) => x + 0.5 * noise());
    const [ex] = await encoder.encode(photo, 1);
    const r = await refineLatent(start, exact, await inverter.lossTo(photo, exact.weights), async (z) => {
      const [eg] = await encoder.encode((await models.generator.generate([z])).data, 1);
      return z.map((v, i) => v + ex![i]! - eg![i]!);
    });
    expect(Math.hypot(...r.z.map((x, i) => x - truth[i]!))).toBeLessThan(0.05);
    expect(r.after).toBeLessThan(r.before);
  });

  it('reads the recipe from encoder.json, null as none, and refuses a broken one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enc-info-'));
    const file = path.join(dir, 'encoder.json');
    fs.writeFileSync(file, JSON.stringify({ generator_fingerprint: 'abc', refine: { rounds: 2, candidates: 8, sigma: 0.2, weights: { pixel: 1 } } }));
    expect(readEncoderInfo(file).refine).toEqual({
      rounds: 2, candidates: 8, sigma: 0.2, decay: 1, gain: 1, residual: false, weights: { pixel: 1, feature: 0, identity: 0 },
    });
    expect(readEncoderInfo('tests/fixtures/models/encoder.json').refine).toBeNull();
    fs.writeFileSync(file, JSON.stringify({ refine: { rounds: -1 } }));
    expect(() => readEncoderInfo(file)).toThrow(/not an encoder description/);
  });
});

describe('alignment geometry', () => {
  it('crops 1.575 boxes wide, centred on the box and raised 0.12 box (training/prepare.py)', () => {
    const c = cropForBox({ x: 100, y: 200, size: 100 });
    expect(c.side).toBeCloseTo(157.5);
    expect(c.left + c.side / 2).toBeCloseTo(150);
    expect(c.top + c.side / 2).toBeCloseTo(238);
  });

  it('ignores small detections beside a face, keeps a second face of similar size', () => {
    const face = { x: 0, y: 0, size: 100 };
    expect(mainFaces([face, { x: 150, y: 0, size: 40 }, { x: 20, y: 20, size: 90 }])).toEqual([face]);
    expect(mainFaces([face, { x: 150, y: 0, size: 90 }])).toHaveLength(2);
  });
});
