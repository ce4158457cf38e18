import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../src/render/generator.js';

/** The shipped ONNX generator must reproduce PyTorch's own output (written by training/export.py). */
const fixture = JSON.parse(fs.readFileSync('tests/fixtures/generator_parity.json', 'utf8')) as {
  model: string;
  z_dim: number;
  shape: number[];
  z: string;
  image: string;
};

function floats(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

describe('generator parity (PyTorch vs onnxruntime-node)', () => {
  let g: Generator;
  beforeAll(async () => {
    g = await Generator.load(path.resolve(fixture.model), 'cpu');
  });
  afterAll(async () => g?.close());

  it('reproduces the PyTorch images for the fixture latents', async () => {
    const z = floats(fixture.z);
    const expected = floats(fixture.image);
    const n = fixture.shape[0]!;
    expect(g.zDim).toBe(fixture.z_dim);
    const latents = Array.from({ length: n }, (_, i) => z.slice(i * g.zDim, (i + 1) * g.zDim));
    const out = await g.generate(latents);
    expect(out.count).toBe(n);
    expect(out.data.length).toBe(expected.length);
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out.data[i]! - expected[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('gives the same image for a latent alone or inside a batch', async () => {
    const z = floats(fixture.z);
    const one = z.slice(0, g.zDim);
    const alone = await g.generate([one]);
    const inBatch = await g.generate([z.slice(g.zDim, 2 * g.zDim), one]);
    const size = 3 * alone.size * alone.size;
    for (let i = 0; i < size; i += 97) expect(inBatch.data[size + i]).toBeCloseTo(alone.data[i]!, 5);
  });
});
