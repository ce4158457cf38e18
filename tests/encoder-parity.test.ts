import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNames, openSession, type LoadedSession } from '../src/render/onnx.js';

/** The shipped ONNX encoder must reproduce PyTorch's own latents for real held-out crops (training/export_encoder.py). */
const fixture = JSON.parse(fs.readFileSync('tests/fixtures/encoder_parity.json', 'utf8')) as {
  model: string;
  shape: number[];
  z_dim: number;
  image: string;
  z: string;
};

function floats(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

async function encode(loaded: LoadedSession, images: Float32Array, n: number): Promise<Float32Array> {
  const out = await loaded.session.run({ image: new ort.Tensor('float32', images, [n, 3, 64, 64]) });
  return out.z!.data as Float32Array;
}

describe('encoder parity (PyTorch vs onnxruntime-node)', () => {
  let e: LoadedSession;
  const file = path.resolve(fixture.model);
  beforeAll(async () => {
    e = await openSession(file, 'cpu');
  });
  afterAll(async () => e?.session.release());

  it('has the contract names and sizes (image [N,3,64,64] -> z [N,128])', async () => {
    expectNames(e, file, ['image'], ['z']);
    const z = await encode(e, new Float32Array(3 * 64 * 64), 1);
    expect(z.length).toBe(128);
    const meta = JSON.parse(fs.readFileSync('models/encoder.json', 'utf8')) as { generator_fingerprint: string };
    const gen = JSON.parse(fs.readFileSync('models/generator_info.json', 'utf8')) as { fingerprint: string };
    expect(meta.generator_fingerprint).toBe(gen.fingerprint);
  });

  it('reproduces the PyTorch latents for the fixture photos', async () => {
    const n = fixture.shape[0]!;
    const expected = floats(fixture.z);
    const z = await encode(e, floats(fixture.image), n);
    expect(z.length).toBe(expected.length);
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(z[i]! - expected[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('gives the same latent for a photo alone or inside a batch', async () => {
    const images = floats(fixture.image);
    const size = 3 * 64 * 64;
    const alone = await encode(e, images.slice(0, size), 1);
    const pair = new Float32Array(2 * size);
    pair.set(images.slice(size, 2 * size), 0);
    pair.set(images.slice(0, size), size);
    const inBatch = await encode(e, pair, 2);
    for (let i = 0; i < 128; i++) expect(inBatch[128 + i]).toBeCloseTo(alone[i]!, 4);
  });
});
