import * as ort from 'onnxruntime-node';
import type { ImageBatch } from './generator.js';
import { expectNames, openSession, type LoadedSession, type ProviderChoice } from './onnx.js';

/** Tensor names of models/classifier.onnx: image [N, 3, 64, 64] float32 in [-1, 1] -> logits [N, 40]. */
export const CLASSIFIER_INPUT = 'image';
export const CLASSIFIER_OUTPUT = 'logits';
export const N_ATTRIBUTES = 40;

/** F, loaded once: the 40 CelebA attribute logits of generator images. */
export class Classifier {
  private constructor(
    private readonly loaded: LoadedSession,
    readonly file: string,
  ) {}

  static async load(file: string, provider: ProviderChoice): Promise<Classifier> {
    const loaded = await openSession(file, provider);
    expectNames(loaded, file, [CLASSIFIER_INPUT], [CLASSIFIER_OUTPUT]);
    return new Classifier(loaded, file);
  }

  get provider(): 'cuda' | 'cpu' {
    return this.loaded.provider;
  }

  /** Logits, row-major [count, 40]. */
  async logits(batch: ImageBatch): Promise<Float32Array> {
    const input = new ort.Tensor('float32', batch.data, [batch.count, 3, batch.size, batch.size]);
    const out = await this.loaded.session.run({ [CLASSIFIER_INPUT]: input });
    return out[CLASSIFIER_OUTPUT]!.data as Float32Array;
  }

  async close(): Promise<void> {
    await this.loaded.session.release();
  }
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
