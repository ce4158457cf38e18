/** `npm run attribute -- score`: the stored probe of an added attribute read on folders of photos. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreProbe } from '../src/cli/attribute-score.js';
import { AxisSet } from '../src/latent/axes.js';
import { Classifier } from '../src/render/classifier.js';
import { FIXTURE_NAME, makeAddedModels } from './attribute-fixture.js';

let dir: string;
let models: string;
let classifier: Classifier;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-score-'));
  ({ models } = await makeAddedModels(dir));
  classifier = await Classifier.load(path.join(models, 'classifier.onnx'), 'cpu');
});
afterAll(async () => {
  await classifier?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('attribute score', () => {
  it('separates the folders the probe stands for, and reads them the right way round', async () => {
    const axes = AxisSet.fromFile(path.join(models, 'axes.json'));
    const folders = { positive: path.join(dir, 'photos', 'pos'), negative: path.join(dir, 'photos', 'neg') };
    const r = await scoreProbe(FIXTURE_NAME as never, axes, classifier, folders, 'none');
    expect(r).toMatchObject({ positives: 30, negatives: 30 });
    expect(r.auc).toBeGreaterThan(0.9);
    expect(r.accuracy).toBeGreaterThan(0.8);
    const swapped = await scoreProbe(FIXTURE_NAME as never, axes, classifier, { positive: folders.negative, negative: folders.positive }, 'none');
    expect(swapped.auc).toBeCloseTo(1 - r.auc, 6);
  });

  it('says so for a name with no probe', async () => {
    const axes = AxisSet.fromFile(path.join(models, 'axes.json'));
    await expect(scoreProbe('Nope' as never, axes, classifier, { positive: dir, negative: dir }, 'none')).rejects.toThrow(/no probe/);
  });
});
