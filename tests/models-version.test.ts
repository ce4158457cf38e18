import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../src/render/fingerprint.js';
import { loadFaceModels, modelsVersion } from '../src/render/models.js';

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

  it('changes when only classifier.onnx is swapped (the closed loop steers by F, so faces change)', async () => {
    const dir = path.join(tmp, 'models');
    fs.cpSync(path.resolve('tests/fixtures/models'), dir, { recursive: true });
    const shipped = await versionOf(dir);
    expect(shipped.split('/')).toHaveLength(2);
    expect(shipped.startsWith(fingerprint(path.join(dir, 'generator.onnx')).sha256)).toBe(true);

    const other = path.resolve('tests/fixtures/models-age/classifier.onnx');
    fs.copyFileSync(other, path.join(dir, 'classifier.onnx'));
    const swapped = await versionOf(dir);
    expect(swapped).not.toBe(shipped);
    expect(swapped).toBe(`${shipped}/${fingerprint(other).sha256}`);
  });
});
