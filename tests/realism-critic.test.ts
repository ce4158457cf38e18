import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STEERING_REVISION, withoutRevision } from '../src/latent/revision.js';
import { REALISM_LIMIT } from '../src/latent/realism-guard.js';
import { criticRealism, type CriticCalibration } from '../src/latent/realism-critic.js';
import { seedToLatent } from '../src/latent/seed.js';
import { Classifier } from '../src/render/classifier.js';
import { Critic } from '../src/render/critic.js';
import { fingerprint } from '../src/render/fingerprint.js';
import { Generator } from '../src/render/generator.js';
import { criticFor, loadFaceModels } from '../src/render/models.js';
import { LatentScorer } from '../src/render/scorer.js';

/**
 * The realism critic (models/critic.onnx, training/train_critic.py) in the realism guard: the scorer reads it on
 * the very faces G drew, maps its logit through models/critic.json's calibration onto the guard's scale, and
 * it takes the place of the density when both are there. The fixture critic (training/make_critic_fixture.py)
 * reads 4 x the image's mean, so what it should say of a face is known from G's output.
 */
const MODELS = path.resolve('tests/fixtures/models');
const CRITIC = path.resolve('tests/fixtures/critic/critic.onnx');
const CAL: CriticCalibration = { version: 1, limitLogit: -0.5, perLogit: 0.35 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-critic-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const config = (dir: string) => ({ modelsDir: dir, provider: 'cpu' as const, renderSize: 64, queueCapacity: 4, maxBatch: 4, timeoutMs: 10_000 });

describe('the realism critic on the guard\'s scale', () => {
  it('is REALISM_LIMIT at the calibration\'s limit and perLogit more for each logit below it', () => {
    expect(criticRealism(-0.5, CAL)).toBeCloseTo(REALISM_LIMIT);
    expect(criticRealism(-1.5, CAL)).toBeCloseTo(REALISM_LIMIT + 0.35);
    expect(criticRealism(2, CAL)).toBeLessThan(criticRealism(0, CAL)); // more real, smaller distance
  });
});

describe('the scorer reads the critic on the faces G drew', () => {
  it('each reading carries the critic\'s realism, from the same images F read', async () => {
    const generator = await Generator.load(path.join(MODELS, 'generator.onnx'), 'cpu');
    const classifier = await Classifier.load(path.join(MODELS, 'classifier.onnx'), 'cpu');
    const critic = await Critic.load(CRITIC, 'cpu');
    try {
      const zs = [1, 2, 3].map((s) => seedToLatent(s, generator.zDim));
      const images = await generator.generate(zs);
      const px = images.size * images.size * 3;
      const expected = zs.map((_, i) => {
        let sum = 0;
        for (let j = 0; j < px; j++) sum += images.data[i * px + j]!;
        return criticRealism((4 * sum) / px, CAL);
      });
      const withCritic = await new LatentScorer(generator, classifier, [], undefined, { critic, calibration: CAL }).read(zs);
      withCritic.forEach((r, i) => expect(r.realism).toBeCloseTo(expected[i]!, 4));
      expect(new Set(expected.map((e) => e.toFixed(4))).size).toBe(3); // the faces differ, and so do their readings
      const without = await new LatentScorer(generator, classifier).read(zs);
      expect(without.every((r) => r.realism === undefined)).toBe(true);
      expect(withCritic.map((r) => Array.from(r.logits))).toEqual(without.map((r) => Array.from(r.logits))); // F reads the same
    } finally {
      await Promise.all([generator.close(), classifier.close(), critic.close()]);
    }
  });
});

describe('the models folder\'s critic', () => {
  it('is optional; with critic.onnx and critic.json it guards, and joins the models version', async () => {
    const dir = path.join(tmp, 'models');
    fs.cpSync(MODELS, dir, { recursive: true });
    const plain = await loadFaceModels(config(dir));
    const plainVersion = plain.version;
    const z = seedToLatent(5, plain.generator.zDim);
    expect((await plain.scorer.read([z]))[0]!.realism).toBeUndefined();
    await plain.close();

    fs.copyFileSync(CRITIC, path.join(dir, 'critic.onnx'));
    fs.writeFileSync(path.join(dir, 'critic.json'), JSON.stringify(CAL));
    const guarded = await loadFaceModels(config(dir));
    try {
      // both files decide what the guard turns down: a recalibration is a new version too
      expect(guarded.version).toBe(`${withoutRevision(plainVersion)}/r:c${fingerprint(path.join(dir, 'critic.onnx')).sha256}${fingerprint(path.join(dir, 'critic.json')).sha256.slice(0, 6)}/e:${STEERING_REVISION}`);
      expect((await guarded.scorer.read([z]))[0]!.realism).toEqual(expect.any(Number));
    } finally {
      await guarded.close();
    }
  });

  it('a critic that reads another size than G draws is not used (every read would fail)', async () => {
    const dir = path.join(tmp, 'other-size');
    fs.cpSync(MODELS, dir, { recursive: true });
    const plain = await loadFaceModels(config(dir));
    const plainVersion = plain.version;
    await plain.close();
    fs.copyFileSync(path.resolve('models/critic.onnx'), path.join(dir, 'critic.onnx')); // the shipped one reads 64 px; the fixture G draws 16
    fs.writeFileSync(path.join(dir, 'critic.json'), JSON.stringify(CAL));
    const models = await loadFaceModels(config(dir));
    try {
      expect(models.version).toBe(plainVersion);
      expect((await models.scorer.read([seedToLatent(5, models.generator.zDim)]))[0]!.realism).toBeUndefined();
    } finally {
      await models.close();
    }
  });

  it('a broken calibration or model is said, and the models load without the critic', async () => {
    const dir = path.join(tmp, 'broken');
    fs.mkdirSync(dir);
    expect(await criticFor(path.join(dir, 'critic.onnx'), path.join(dir, 'critic.json'), 'cpu')).toEqual({});
    fs.writeFileSync(path.join(dir, 'critic.json'), '{"version": 1, "limitLogit": "low"}');
    fs.copyFileSync(CRITIC, path.join(dir, 'critic.onnx'));
    const bad = await criticFor(path.join(dir, 'critic.onnx'), path.join(dir, 'critic.json'), 'cpu');
    expect(bad.guard).toBeUndefined();
    expect(bad.problem).toMatch(/critic\.json is not a usable critic calibration.*train_critic\.py/);
    fs.writeFileSync(path.join(dir, 'critic.json'), JSON.stringify(CAL));
    fs.writeFileSync(path.join(dir, 'critic.onnx'), 'not an onnx file');
    const corrupt = await criticFor(path.join(dir, 'critic.onnx'), path.join(dir, 'critic.json'), 'cpu');
    expect(corrupt.guard).toBeUndefined();
    expect(corrupt.problem).toMatch(/critic\.onnx could not be loaded/);
  });
});
