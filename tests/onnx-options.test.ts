import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { sessionOptions } from '../src/render/onnx.js';
import { candidateLatent } from '../src/latent/candidates.js';

/**
 * The ONNX sessions' options (src/render/onnx.ts): intra-op threads that spin-wait took the 2 cores from the work
 * (a one-message face 3-5x as long: docs/seed-search-and-realism.md, "Cost"), so they do not; and the threads
 * only decide who computes which part, so G draws the same bits whatever the threads do.
 */
const G = path.resolve(import.meta.dirname, '..', 'models', 'generator.onnx');

async function draw(options: ort.InferenceSession.SessionOptions, zs: Float32Array[]): Promise<Buffer> {
  const session = await ort.InferenceSession.create(G, options);
  try {
    const z = new Float32Array(zs.length * 128);
    zs.forEach((v, i) => z.set(v, i * 128));
    const out = await session.run({ z: new ort.Tensor('float32', z, [zs.length, 128]) });
    const image = out.image!.data as Float32Array;
    return Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  } finally {
    await session.release();
  }
}

describe('ONNX session options', () => {
  it('ask that the intra-op threads do not spin-wait for work', () => {
    expect(sessionOptions('cpu').extra).toEqual({ session: { intra_op: { allow_spinning: '0' } } });
  });

  it('draw the same bits as spinning threads, or one thread', async () => {
    const zs = [0, 1, 2].map((i) => candidateLatent(24, 0, i, 128));
    const ours = await draw(sessionOptions('cpu'), zs);
    const spinning = { ...sessionOptions('cpu'), extra: { session: { intra_op: { allow_spinning: '1' } } } };
    expect(await draw(spinning, zs)).toEqual(ours);
    expect(await draw({ ...sessionOptions('cpu'), intraOpNumThreads: 1 }, zs)).toEqual(ours);
  });
});
