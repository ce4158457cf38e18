import * as ort from 'onnxruntime-node';
import { fingerprint } from './fingerprint.js';
import { RecentByLatent } from './recent.js';
import { expectNames, openSession, type LoadedSession, type ProviderChoice } from './onnx.js';

/** Tensor names of models/generator.onnx: z [N, zDim] float32 -> image [N, 3, H, W] float32 in [-1, 1]. */
export const GENERATOR_INPUT = 'z';
export const GENERATOR_OUTPUT = 'image';

export interface ImageBatch {
  /** NCHW float32 in [-1, 1]. */
  data: Float32Array;
  count: number;
  size: number;
}

/** G, loaded once. `generate` takes any number of latents and runs them as one batch. */
export class Generator {
  private constructor(
    private readonly loaded: LoadedSession,
    readonly zDim: number,
    readonly file: string,
    /** The first 12 hex digits of the file's SHA-256: which generator drew a face (FaceRecord.model). */
    readonly fingerprint: string,
  ) {}

  private recent = new RecentByLatent<{ data: Float32Array; size: number }>(0);

  /** Remember the last `faces` faces drawn (at 64 px, 48 KB each), so that a latent drawn again is not run again; 0: none. */
  remember(faces: number): void {
    this.recent = new RecentByLatent(faces);
  }

  static async load(file: string, provider: ProviderChoice): Promise<Generator> {
    const loaded = await openSession(file, provider);
    expectNames(loaded, file, [GENERATOR_INPUT], [GENERATOR_OUTPUT]);
    const meta = loaded.session.inputMetadata?.find?.((m) => m.name === GENERATOR_INPUT);
    const dims = meta && 'shape' in meta ? (meta.shape as Array<number | string>) : [];
    const zDim = typeof dims[1] === 'number' ? dims[1] : 128;
    return new Generator(loaded, zDim, file, fingerprint(file).sha256);
  }

  get provider(): 'cuda' | 'cpu' {
    return this.loaded.provider;
  }

  /**
   * One image per latent, in order, run as one batch. With `remember`, the faces drawn last are remembered by
   * their latent's bytes and not drawn again: the reply's picture is the face the closed loop read last, and the
   * identity network reads a face the loop drew (src/render/scorer.ts).
   */
  async generate(latents: readonly Float32Array[]): Promise<ImageBatch> {
    latents.forEach((z) => {
      if (z.length !== this.zDim) throw new RangeError(`latent has ${z.length} numbers, expected ${this.zDim}`);
    });
    // remembering nothing (benchmarks, evaluations, npm run surrogate), or nothing to draw: a plain run, no copies
    if (this.recent.capacity <= 0 || latents.length === 0) return this.run(latents);
    const known = latents.map((z) => this.recent.get(z));
    const missing = latents.filter((_, i) => !known[i]);
    const drawn = missing.length > 0 ? await this.run(missing) : undefined;
    if (drawn) {
      const each = drawn.data.length / missing.length;
      missing.forEach((z, j) => this.recent.set(z, { data: drawn.data.slice(j * each, (j + 1) * each), size: drawn.size }));
      if (missing.length === latents.length) return drawn;
    }
    const size = drawn?.size ?? known.find((k) => k)!.size;
    const each = 3 * size * size;
    const data = new Float32Array(latents.length * each);
    let j = 0;
    known.forEach((k, i) => data.set(k ? k.data : drawn!.data.subarray(j * each, ++j * each), i * each));
    return { data, count: latents.length, size };
  }

  private async run(latents: readonly Float32Array[]): Promise<ImageBatch> {
    const n = latents.length;
    const zs = new Float32Array(n * this.zDim);
    latents.forEach((z, i) => zs.set(z, i * this.zDim));
    const out = await this.loaded.session.run({ [GENERATOR_INPUT]: new ort.Tensor('float32', zs, [n, this.zDim]) });
    const image = out[GENERATOR_OUTPUT]!;
    const size = Number(image.dims[3]);
    return { data: image.data as Float32Array, count: n, size };
  }

  async close(): Promise<void> {
    await this.loaded.session.release();
  }
}
