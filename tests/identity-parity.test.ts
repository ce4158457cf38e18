import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityNet, identityDistance } from '../src/render/identity.js';

/**
 * The shipped identity network must reproduce PyTorch's own embeddings (written by training/identity_report.py
 * for G's parity faces, tests/fixtures/generator_parity.json).
 */
const fixture = JSON.parse(fs.readFileSync('tests/fixtures/identity_parity.json', 'utf8')) as {
  model: string;
  shape: number[];
  dim: number;
  image: string;
  embedding: string;
  distances: number[];
};

function floats(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

describe('identity network parity (PyTorch vs onnxruntime-node)', () => {
  let net: IdentityNet;
  beforeAll(async () => {
    net = await IdentityNet.load(path.resolve(fixture.model), 'cpu');
  });
  afterAll(async () => net?.close());

  it('reproduces the PyTorch embeddings of the fixture faces', async () => {
    const n = fixture.shape[0]!;
    const expected = floats(fixture.embedding);
    const embs = await net.embed({ data: floats(fixture.image), count: n });
    expect(net.inputSize).toBe(fixture.shape[3]);
    expect(embs).toHaveLength(n);
    let maxDiff = 0;
    embs.forEach((e, i) => {
      expect(e.length).toBe(fixture.dim);
      for (let k = 0; k < fixture.dim; k++) maxDiff = Math.max(maxDiff, Math.abs(e[k]! - expected[i * fixture.dim + k]!));
    });
    expect(maxDiff).toBeLessThan(1e-4);
    embs.forEach((e, i) => expect(identityDistance(embs[0]!, e)).toBeCloseTo(fixture.distances[i]!, 4));
  });

  it('gives the same embedding for a face alone or inside a batch', async () => {
    const images = floats(fixture.image);
    const size = images.length / fixture.shape[0]!;
    const [alone] = await net.embed({ data: images.slice(size, 2 * size), count: 1 });
    const both = await net.embed({ data: images.slice(0, 2 * size), count: 2 });
    expect(identityDistance(alone!, both[1]!)).toBeLessThan(1e-5);
  });
});
