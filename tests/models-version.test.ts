import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STEERING_REVISION, withoutRevision } from '../src/latent/revision.js';
import { fingerprint } from '../src/render/fingerprint.js';
import { loadFaceModels, modelsVersion } from '../src/render/models.js';
import { olderModelNote } from '../src/conversation/engine.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-version-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function versionOf(dir: string): Promise<string> {
  const models = await loadFaceModels({ modelsDir: dir, provider: 'cpu', renderSize: 64, queueCapacity: 4, maxBatch: 4, timeoutMs: 10_000 });
  try {
    return models.version;
  } finally {
    await models.close();
  }
}

describe('the models version stored with each face', () => {
  it('keeps G/axes when F is the one the axes file names, and adds F when it is another', () => {
    expect(modelsVersion('g1', 'a1', 'f1', 'f1')).toBe('g1/a1');
    expect(modelsVersion('g1', 'a1', 'f2', 'f1')).toBe('g1/a1/f2');
    expect(modelsVersion('g1', 'a1', 'f2', undefined)).toBe('g1/a1/f2');
  });

  it('ends with the steering revision; a face stored under another is redrawn with a note that says why', () => {
    const now = modelsVersion('g1', 'a1', 'f1', 'f1', 's1', undefined, undefined, 2);
    expect(now).toBe('g1/a1/s:s1/e:2');
    expect(olderModelNote({ model: now }, now)).toBeUndefined();
    const steering = /before a change to how the words steer a face/;
    expect(olderModelNote({ model: modelsVersion('g1', 'a1', 'f1', 'f1', 's1', undefined, undefined, 1) }, now)).toMatch(steering);
    expect(olderModelNote({ model: 'g1/a1/s:s1' }, now)).toMatch(steering); // stored before revisions were recorded
    // other model files: another face, said as before
    expect(olderModelNote({ model: 'g0/a1/s:s1/e:2' }, now)).toMatch(/earlier version of the face models/);
    expect(olderModelNote({ model: 'g1/a1/s:s0/e:1' }, now)).toMatch(/earlier version of the face models/);
  });

  it('changes when only classifier.onnx is swapped (the closed loop steers by F, so faces change)', async () => {
    const dir = path.join(tmp, 'models');
    fs.cpSync(path.resolve('tests/fixtures/models'), dir, { recursive: true });
    const shipped = await versionOf(dir);
    expect(shipped.split('/')).toHaveLength(3);
    expect(shipped.endsWith(`/e:${STEERING_REVISION}`)).toBe(true); // the steering's revision (src/latent/revision.ts)
    expect(shipped.startsWith(fingerprint(path.join(dir, 'generator.onnx')).sha256)).toBe(true);

    const other = path.resolve('tests/fixtures/models-age/classifier.onnx');
    fs.copyFileSync(other, path.join(dir, 'classifier.onnx'));
    const swapped = await versionOf(dir);
    expect(swapped).not.toBe(shipped);
    expect(swapped).toBe(`${withoutRevision(shipped)}/${fingerprint(other).sha256}/e:${STEERING_REVISION}`);
  });

  it('adds the surrogate the loop steers by, when the folder has one for this G, and not one for another G', async () => {
    const dir = path.join(tmp, 'models-surrogate');
    fs.cpSync(path.resolve('tests/fixtures/models'), dir, { recursive: true });
    const shipped = await versionOf(dir);
    const g = fingerprint(path.join(dir, 'generator.onnx')).sha256;
    const models = await loadFaceModels({ modelsDir: dir, provider: 'cpu', renderSize: 64, queueCapacity: 4, maxBatch: 4, timeoutMs: 10_000 });
    const zDim = models.generator.zDim;
    expect(models.axes.surrogate).toBeUndefined();
    await models.close();
    const file = (generator: string) => JSON.stringify({
      version: 1, zDim, outputs: ['Male'], mu: [0], sd: [1], generator,
      layers: [{ weight: [Array.from({ length: zDim }, (_, i) => (i === 0 ? 1 : 0))], bias: [0] }],
    });
    fs.writeFileSync(path.join(dir, 'surrogate.json'), file('0123456789ab'));
    expect(await versionOf(dir)).toBe(shipped);
    fs.writeFileSync(path.join(dir, 'surrogate.json'), file(g));
    expect(await versionOf(dir)).toBe(`${withoutRevision(shipped)}/s:${fingerprint(path.join(dir, 'surrogate.json')).sha256}/e:${STEERING_REVISION}`);
    const withIt = await loadFaceModels({ modelsDir: dir, provider: 'cpu', renderSize: 64, queueCapacity: 4, maxBatch: 4, timeoutMs: 10_000 });
    try {
      expect(withIt.axes.surrogate?.zDim).toBe(zDim);
      expect(withIt.axes.forGender('men').surrogate).toBe(withIt.axes.surrogate);
    } finally {
      await withIt.close();
    }
  });
});

describe('the realism guard\'s density (realism.json) in the models folder', () => {
  it('is optional; one fitted on this F joins the version and every reading carries its distance; one for another F is not used', async () => {
    const dir = path.join(tmp, 'models-realism');
    fs.cpSync(path.resolve('tests/fixtures/models'), dir, { recursive: true });
    const shipped = await versionOf(dir);
    const models = await loadFaceModels({ modelsDir: dir, provider: 'cpu', renderSize: 64, queueCapacity: 4, maxBatch: 4, timeoutMs: 10_000 });
    const dim = models.classifier.featureSize!;
    const z = new Float32Array(models.generator.zDim);
    expect((await models.scorer.read([z]))[0]!.realism).toBeUndefined();
    await models.close();
    const f = fingerprint(path.join(dir, 'classifier.onnx')).sha256;
    const file = (classifier: string) => JSON.stringify({
      version: 1, dim, k: 1, mean: new Array(dim).fill(1), components: [Array.from({ length: dim }, (_, i) => (i === 0 ? 1 : 0))],
      variances: [2], residual: 1, calibration: { heldOut: { '50': 1 } }, classifier,
    });
    fs.writeFileSync(path.join(dir, 'realism.json'), file('0123456789ab'));
    expect(await versionOf(dir)).toBe(shipped);
    fs.writeFileSync(path.join(dir, 'realism.json'), file(f));
    expect(await versionOf(dir)).toBe(`${withoutRevision(shipped)}/r:${fingerprint(path.join(dir, 'realism.json')).sha256}/e:${STEERING_REVISION}`);
    const withIt = await loadFaceModels({ modelsDir: dir, provider: 'cpu', renderSize: 64, queueCapacity: 4, maxBatch: 4, timeoutMs: 10_000 });
    try {
      const [r] = await withIt.scorer.read([z]);
      expect(Number.isFinite(r!.realism)).toBe(true);
      expect(r!.realism).toBeGreaterThan(0);
    } finally {
      await withIt.close();
    }
  });
});
