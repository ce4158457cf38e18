import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../src/render/generator.js';
import { IdentityNet, identityDistance } from '../src/render/identity.js';
import { ModelLoadError } from '../src/render/onnx.js';

/**
 * The identity network's loader on the fixture world (training/make_fixtures.py): the fixture identity reads a
 * fixture face back to the latent that drew it, so its distance follows the latents' cosine distance.
 */
const FIXTURES = path.resolve('tests/fixtures/models');

function latent(seed: number, dim: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return 1 - dot / Math.sqrt(na * nb);
}

describe('identityDistance', () => {
  it('is 0 for the same direction, 1 for orthogonal and 2 for opposite, whatever the scale', () => {
    const a = new Float32Array([1, 2, 2]);
    expect(identityDistance(a, new Float32Array([2, 4, 4]))).toBeCloseTo(0, 6);
    expect(identityDistance(new Float32Array([1, 0]), new Float32Array([0, 3]))).toBeCloseTo(1, 6);
    expect(identityDistance(a, new Float32Array([-1, -2, -2]))).toBeCloseTo(2, 6);
  });

  it('refuses embeddings of different lengths', () => {
    expect(() => identityDistance(new Float32Array(3), new Float32Array(4))).toThrow(/differ in length/);
  });
});

describe('IdentityNet (fixture model)', () => {
  let g: Generator;
  let net: IdentityNet;
  beforeAll(async () => {
    g = await Generator.load(path.join(FIXTURES, 'generator.onnx'), 'cpu');
    net = await IdentityNet.load(path.join(FIXTURES, 'identity.onnx'), 'cpu');
  });
  afterAll(async () => {
    await g?.close();
    await net?.close();
  });

  it('gives one L2-normalised embedding per face, in order', async () => {
    const zs = [1, 2, 3].map((s) => latent(s, g.zDim));
    const faces = await g.generate(zs);
    const embs = await net.embed(faces);
    expect(net.inputSize).toBe(faces.size);
    expect(embs).toHaveLength(3);
    for (const e of embs) expect(Math.hypot(...e)).toBeCloseTo(1, 5);
    const alone = await net.embed(await g.generate([zs[2]!]));
    expect(identityDistance(alone[0]!, embs[2]!)).toBeLessThan(1e-6);
    expect(identityDistance(embs[0]!, embs[1]!)).toBeGreaterThan(0.05);
  });

  it('follows who drew the face: a nudged latent stays nearer than another latent', async () => {
    const z = latent(11, g.zDim);
    const nudged = z.map((v, i) => v + 0.05 * latent(99, g.zDim)[i]!);
    const other = latent(12, g.zDim);
    const [e0, e1, e2] = await net.embed(await g.generate([z, nudged, other]));
    expect(identityDistance(e0!, e1!)).toBeLessThan(identityDistance(e0!, e2!));
    expect(identityDistance(e0!, e2!)).toBeCloseTo(cosineDistance(z, other), 1);
  });

  it('answers an empty batch with no embeddings and refuses a batch of the wrong size', async () => {
    expect(await net.embed({ data: new Float32Array(0), count: 0 })).toEqual([]);
    await expect(net.embed({ data: new Float32Array(3 * 8 * 8), count: 1 })).rejects.toThrow(/reads 16x16 images, got 8x8/);
    await expect(net.embed({ data: new Float32Array(100), count: 1 })).rejects.toThrow(/not 1 square RGB images/);
  });

  it('refuses a model without the identity tensor names, naming the file', async () => {
    const file = path.join(FIXTURES, 'classifier.onnx');
    await expect(IdentityNet.load(file, 'cpu')).rejects.toThrow(ModelLoadError);
    await expect(IdentityNet.load(file, 'cpu')).rejects.toThrow(/classifier\.onnx.*expected \[image\] -> \[embedding\]/);
  });
});
