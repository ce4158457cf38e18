import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STEERING_REVISION, withoutRevision } from '../src/latent/revision.js';
import type { Edit } from '../src/face/record.js';
import { embeddingDistance } from '../src/latent/identity-hold.js';
import { steerFace } from '../src/latent/steer.js';
import { fingerprint } from '../src/render/fingerprint.js';
import { identityDistance } from '../src/render/identity.js';
import { loadFaceModels, modelConfigFrom, type ModelConfig } from '../src/render/models.js';

/**
 * The identity hold with real (tiny) ONNX models: the fixture G, F and axes, and the fixture identity network
 * (tests/fixtures/models/identity.onnx: it reads a fixture face back to the latent that drew it, so its distance is
 * about the cosine distance of the latents).
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-identity-hold-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function folder(name: string, info?: object): string {
  const dir = path.join(tmp, name);
  fs.cpSync(path.resolve('tests/fixtures/models'), dir, { recursive: true });
  if (info) fs.writeFileSync(path.join(dir, 'identity.json'), JSON.stringify(info));
  return dir;
}

const config = (modelsDir: string, identity?: ModelConfig['identity']): ModelConfig => ({
  modelsDir, provider: 'cpu', renderSize: 64, queueCapacity: 4, maxBatch: 4, timeoutMs: 10_000, ...(identity ? { identity } : {}),
});
const edit = (text: string, weights: Edit['weights']): Edit => ({
  text, weights, mode: Object.fromEntries(Object.keys(weights).map((k) => [k, 'target'])), locks: [],
});

describe('the identity network in the models', () => {
  it('is loaded with its strict threshold as the band when identity.json is there: each reading carries the embedding, and the version says so', async () => {
    const dir = folder('with', { threshold: 0.7, 'threshold_far_1e-2': 0.05 });
    const plain = await loadFaceModels(config(folder('without')));
    const models = await loadFaceModels(config(dir));
    try {
      expect(plain.axes.identityHold).toBeUndefined();
      expect(models.axes.identityHold).toEqual({ band: 0.05 });
      expect(models.version).toBe(`${withoutRevision(plain.version)}/i:${fingerprint(path.join(dir, 'identity.onnx')).sha256}b0.05/e:${STEERING_REVISION}`);
      const z = Float32Array.from({ length: models.generator.zDim }, (_, i) => Math.sin(i + 1));
      const w = Float32Array.from(z, (v, i) => (i === 0 ? -v : v));
      const [a, b, c] = await models.scorer.read([z, z, w]);
      expect(a!.identity).toHaveLength(8);
      expect(identityDistance(a!.identity!, b!.identity!)).toBeLessThan(1e-5);
      expect(identityDistance(a!.identity!, c!.identity!)).toBeGreaterThan(0.01);
      expect((await plain.scorer.read([z]))[0]!.identity).toBeUndefined();
    } finally {
      await Promise.all([plain.close(), models.close()]);
    }
  });

  it('is left out when IDENTITY_HOLD is off, and IDENTITY_BAND sets the band', async () => {
    const dir = folder('config', { threshold: 0.05 });
    const env = { MODELS_DIR: dir, EXECUTION_PROVIDER: 'cpu' as const, RENDER_SIZE: 64, QUEUE_CAPACITY: 4, MAX_BATCH: 4, RENDER_TIMEOUT_MS: 10_000 };
    const off = await loadFaceModels(modelConfigFrom({ ...env, IDENTITY_HOLD: 'off' }));
    const banded = await loadFaceModels(modelConfigFrom({ ...env, IDENTITY_HOLD: 'on', IDENTITY_BAND: 0.2 }));
    try {
      expect(off.axes.identityHold).toBeUndefined();
      expect((await off.scorer.read([new Float32Array(off.generator.zDim).fill(0.5)]))[0]!.identity).toBeUndefined();
      expect(banded.axes.identityHold).toEqual({ band: 0.2 });
    } finally {
      await Promise.all([off.close(), banded.close()]);
    }
  });

  it('keeps a chain of refinements within the band of its first render, which the open loop leaves', async () => {
    const models = await loadFaceModels(config(folder('chain', { threshold: 0.04 })));
    try {
      const read = (zs: Float32Array[]) => models.scorer.read(zs);
      const open = models.axes.withIdentityHold(undefined);
      const chain = [edit('a man', { Male: 1 }), edit('add glasses', { Eyeglasses: 1 }), edit('give him a hat', { Wearing_Hat: 1 }), edit('smiling', { Smiling: 1 })];
      let left = 0;
      for (let seed = 1; seed <= 8; seed++) {
        const origin = await steerFace({ seed, edits: chain.slice(0, 1) }, models.axes, read);
        const held = await steerFace({ seed, edits: chain }, models.axes, read);
        const free = await steerFace({ seed, edits: chain }, open, read);
        expect(embeddingDistance(held.reading.identity!, origin.reading.identity!)).toBeLessThanOrEqual(0.04);
        if (embeddingDistance(free.reading.identity!, origin.reading.identity!) > 0.04) left++;
      }
      expect(left).toBeGreaterThanOrEqual(3);
    } finally {
      await models.close();
    }
  });
});
