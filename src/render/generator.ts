import * as ort from 'onnxruntime-node';
import { fingerprint } from './fingerprint.js';
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

  async generate(latents: readonly Float32Array[]): Promise<ImageBatch> {
    const n = latents.length;
    const zs = new Float32Array(n * this.zDim);
    latents.forEach((z, i) => {
      if (z.length !== this.zDim) throw new RangeError(`latent has ${z.length} numbers, expected ${this.zDim}`);
      zs.set(z, i * this.zDim);
    });
    const out = await this.loaded.session.run({ [GENERATOR_INPUT]: new ort.Tensor('float32', zs, [n, this.zDim]) });
    const image = out[GENERATOR_OUTPUT]!;
    const size = Number(image.dims[3]);
    return { data: image.data as Float32Array, count: n, size };
  }

  async close(): Promise<void> {
    await this.loaded.session.release();
  }
}
