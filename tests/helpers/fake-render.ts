import { ATTRIBUTES, attributeIndex, type AttributeName } from '../../src/face/attributes.js';
import { AxisSet, type Axis } from '../../src/latent/axes.js';
import { prng } from '../../src/latent/seed.js';
import zlib from 'node:zlib';
import { chunk, PNG_SIGNATURE } from '../../src/render/png-chunks.js';
import type { FaceRenderer, FaceScorer, RenderOptions } from '../../src/render/types.js';

export const FAKE_Z_DIM = 16;

/** A deterministic AxisSet of random unit axes; `weak` names axes marked not controllable. */
export function makeFakeAxes(weak: readonly AttributeName[] = []): AxisSet {
  const rand = prng(7);
  const axes: Axis[] = ATTRIBUTES.map((name) => {
    const v = Float32Array.from({ length: FAKE_Z_DIM }, () => rand() - 0.5);
    const n = Math.hypot(...v);
    return {
      name,
      vector: v.map((x) => x / n),
      center: 0,
      scale: 1,
      coordMean: 0,
      coordStd: 1,
      quality: 0.9,
      r2: 0.5,
      controllable: !weak.includes(name),
      successRate: 0.9,
    };
  });
  return AxisSet.fromAxes(FAKE_Z_DIM, axes);
}

/** A real 1x1 PNG whose one pixel tells calls apart (its red and green bytes are the call number). */
export function tinyPng(n: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const pixel = zlib.deflateSync(Buffer.from([0, n & 0xff, (n >> 8) & 0xff, 0x80]));
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', pixel), chunk('IEND', Buffer.alloc(0))]);
}

/** Records every latent it is asked to draw; the PNG's pixel names the call. Set `failWith` to make it (and runInLine) throw. */
export class FakeRenderer implements FaceRenderer {
  readonly zDim = FAKE_Z_DIM;
  readonly calls: Float32Array[] = [];
  failWith: Error | undefined;

  async renderPng(z: Float32Array, options?: RenderOptions): Promise<Buffer> {
    options?.onQueued?.(1);
    if (this.failWith) throw this.failWith;
    this.calls.push(Float32Array.from(z));
    return tinyPng(this.calls.length);
  }

  /** Tasks run in the queue's line (explain's F pass); they fail like renders when `failWith` is set. */
  tasks = 0;
  async runInLine<T>(task: () => Promise<T>, options?: Pick<RenderOptions, 'onQueued'>): Promise<T> {
    options?.onQueued?.(1);
    if (this.failWith) throw this.failWith;
    this.tasks += 1;
    return task();
  }
}

/** Scores every latent the same: the given probabilities, 0.1 for the rest. */
export class FakeScorer implements FaceScorer {
  readonly calls: Float32Array[] = [];
  constructor(private readonly probabilities: Partial<Record<AttributeName, number>> = {}) {}

  async scoreLatent(z: Float32Array): Promise<Float32Array> {
    this.calls.push(Float32Array.from(z));
    const out = new Float32Array(ATTRIBUTES.length).fill(0.1);
    for (const [name, p] of Object.entries(this.probabilities)) out[attributeIndex(name as AttributeName)] = p;
    return out;
  }
}
