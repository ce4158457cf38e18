import * as ort from 'onnxruntime-node';
import type { ImageBatch } from './generator.js';
import { expectNames, openSession, squareInputSide, type LoadedSession, type ProviderChoice } from './onnx.js';

/**
 * Tensor names of models/critic.onnx (training/train_critic.py): image [N, 3, S, S] float32 in [-1, 1] (S = 64) ->
 * realness [N, 1], one logit: higher is more like a real face crop, lower more like a face G drew badly.
 * It was trained to tell real crops from the faces G draws for everyday words, so it reads the coarse
 * failures people see (smears, melted halves, blobs), not F's attributes.
 */
export const CRITIC_INPUT = 'image';
export const CRITIC_OUTPUT = 'realness';

/** The realism critic, loaded once. */
export class Critic {
  private constructor(
    private readonly loaded: LoadedSession,
    readonly file: string,
  ) {}

  static async load(file: string, provider: ProviderChoice): Promise<Critic> {
    const loaded = await openSession(file, provider);
    expectNames(loaded, file, [CRITIC_INPUT], [CRITIC_OUTPUT]);
    return new Critic(loaded, file);
  }

  /** The side of the square images the critic reads (64 for the shipped one), from the model's input shape. */
  get inputSize(): number | undefined {
    return squareInputSide(this.loaded, CRITIC_INPUT);
  }

  /** One realness logit per face of the batch. */
  async realness(batch: ImageBatch): Promise<Float32Array> {
    const side = this.inputSize;
    if (side !== undefined && side !== batch.size) throw new Error(`${this.file} reads ${side} px faces, the batch has ${batch.size} px`);
    const input = new ort.Tensor('float32', batch.data, [batch.count, 3, batch.size, batch.size]);
    const out = await this.loaded.session.run({ [CRITIC_INPUT]: input });
    return out[CRITIC_OUTPUT]!.data as Float32Array;
  }

  async close(): Promise<void> {
    await this.loaded.session.release();
  }
}
