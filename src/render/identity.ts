import * as ort from 'onnxruntime-node';
import { cosineDistance } from '../latent/vector.js';
import { expectNames, openSession, squareInputSide, type LoadedSession, type ProviderChoice } from './onnx.js';

/**
 * Tensor names of models/identity.onnx (training/train_identity.py): image [N, 3, S, S] float32 RGB in [-1, 1]
 * (exactly G's output, so it scores G's faces directly; S = 64 for the shipped network) -> embedding [N, D]
 * float32, L2-normalised. Two faces are the same person when identityDistance is under the threshold in
 * models/identity.json.
 */
export const IDENTITY_INPUT = 'image';
export const IDENTITY_OUTPUT = 'embedding';

/** A batch of NCHW float32 images in [-1, 1] (the size is read from data.length / count). */
export interface IdentityImages {
  data: Float32Array;
  count: number;
}

/** The identity network, loaded once: images -> one L2-normalised embedding per face. */
export class IdentityNet {
  private constructor(
    private readonly loaded: LoadedSession,
    readonly file: string,
  ) {}

  static async load(file: string, device: ProviderChoice = 'auto'): Promise<IdentityNet> {
    const loaded = await openSession(file, device);
    expectNames(loaded, file, [IDENTITY_INPUT], [IDENTITY_OUTPUT]);
    return new IdentityNet(loaded, file);
  }

  /** The side of the square images the network reads (64 for the shipped one), when the model says. */
  get inputSize(): number | undefined {
    return squareInputSide(this.loaded, IDENTITY_INPUT);
  }

  get provider(): 'cuda' | 'cpu' {
    return this.loaded.provider;
  }

  /** One embedding per image, in order (each a copy, L2-normalised by the network). */
  async embed(images: IdentityImages): Promise<Float32Array[]> {
    const { data, count } = images;
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`image count must be a whole number >= 0, got ${count}`);
    if (count === 0) return [];
    const side = Math.round(Math.sqrt(data.length / count / 3));
    if (side < 1 || 3 * side * side * count !== data.length) {
      throw new RangeError(`${data.length} numbers are not ${count} square RGB images (NCHW float32)`);
    }
    const want = this.inputSize;
    if (want !== undefined && want !== side) {
      throw new RangeError(`the identity network reads ${want}x${want} images, got ${side}x${side}`);
    }
    const input = new ort.Tensor('float32', data, [count, 3, side, side]);
    const out = await this.loaded.session.run({ [IDENTITY_INPUT]: input });
    const emb = out[IDENTITY_OUTPUT]!;
    const flat = emb.data as Float32Array;
    const dim = flat.length / count;
    return Array.from({ length: count }, (_, i) => flat.slice(i * dim, (i + 1) * dim));
  }

  async close(): Promise<void> {
    await this.loaded.session.release();
  }
}

/** 1 - cosine similarity: 0 for the same direction, 1 for orthogonal, 2 for opposite (any scale of a and b). */
export const identityDistance = cosineDistance;
