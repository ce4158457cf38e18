import * as ort from 'onnxruntime-node';
import type { ImageBatch } from './generator.js';
import { expectNames, openSession, squareInputSide, type LoadedSession, type ProviderChoice } from './onnx.js';

/**
 * Tensor names of models/classifier.onnx: image [N, 3, 64, 64] float32 in [-1, 1] -> logits [N, 40], and,
 * when F has its age head (training/train_age.py), age [N] in years, and when it has them (every F since
 * training/onnx_features.py), features [N, D]: the layer the logits head reads, where the probes of added
 * attributes read too (`npm run attribute`).
 */
export const CLASSIFIER_INPUT = 'image';
export const CLASSIFIER_OUTPUT = 'logits';
export const AGE_OUTPUT = 'age';
export const FEATURES_OUTPUT = 'features';
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

  /** The side of the square images F reads (64 for the shipped F), from the model's input shape. */
  get inputSize(): number | undefined {
    return squareInputSide(this.loaded, CLASSIFIER_INPUT);
  }

  get provider(): 'cuda' | 'cpu' {
    return this.loaded.provider;
  }

  /** Whether this F also reads age in years. */
  get hasAge(): boolean {
    return this.loaded.session.outputNames.includes(AGE_OUTPUT);
  }

  /** Whether this F gives its features (the `features` output) for probes to read. */
  get hasFeatures(): boolean {
    return this.loaded.session.outputNames.includes(FEATURES_OUTPUT);
  }

  /** How many numbers the `features` output has per face, from the model's output shape (when it says). */
  get featureSize(): number | undefined {
    const meta = this.loaded.session.outputMetadata?.find?.((m) => m.name === FEATURES_OUTPUT);
    const dims = meta && 'shape' in meta ? (meta.shape as Array<number | string>) : [];
    return typeof dims[1] === 'number' ? dims[1] : undefined;
  }

  /** Logits, row-major [count, 40]. */
  async logits(batch: ImageBatch): Promise<Float32Array> {
    return (await this.read(batch)).logits;
  }

  /**
   * Logits [count, 40]; when F has an age head, ages in years [count]; when F has them, features
   * [count, featureSize] (row-major; featureSize = features.length / count).
   */
  async read(batch: ImageBatch): Promise<{ logits: Float32Array; ages?: Float32Array; features?: Float32Array }> {
    const input = new ort.Tensor('float32', batch.data, [batch.count, 3, batch.size, batch.size]);
    const out = await this.loaded.session.run({ [CLASSIFIER_INPUT]: input });
    const ages = this.hasAge ? (out[AGE_OUTPUT]!.data as Float32Array) : undefined;
    const features = this.hasFeatures ? (out[FEATURES_OUTPUT]!.data as Float32Array) : undefined;
    return { logits: out[CLASSIFIER_OUTPUT]!.data as Float32Array, ...(ages ? { ages } : {}), ...(features ? { features } : {}) };
  }

  async close(): Promise<void> {
    await this.loaded.session.release();
  }
}

export { sigmoid } from '../latent/vector.js';
