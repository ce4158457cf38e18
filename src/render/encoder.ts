import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { expectNames, ModelLoadError, openSession, squareInputSide, type LoadedSession, type ProviderChoice } from './onnx.js';

/** Tensor names of models/encoder.onnx: image [N, 3, S, S] float32 RGB in [-1, 1] (an aligned face) -> z [N, zDim]. */
export const ENCODER_INPUT = 'image';
export const ENCODER_OUTPUT = 'z';

/**
 * The gradient-free refinement the encoder's trainer measured to help (src/photo/refine.ts, models/encoder.json
 * `refine`): start at keepInRange(gain x E(x)); then R rounds of K candidates best + sigma x decay^round x noise
 * (plus, with `residual`, best + E(x) - E(G(best))), drawn in one batch, the best kept when it scores lower by
 * pixel x mean|G(z) - x| + feature x |F(G(z)) - F(x)|^2 / |F(x)|^2 + identity x (1 - cosine of identity embeddings).
 * Other keys (the trainer's notes) are kept and ignored.
 */
export const RefineRecipeSchema = z.looseObject({
  rounds: z.number().int().min(0).max(20),
  candidates: z.number().int().min(1).max(256),
  sigma: z.number().nonnegative(),
  decay: z.number().positive().max(1).default(1),
  gain: z.number().positive().default(1),
  residual: z.boolean().default(false),
  weights: z.looseObject({
    pixel: z.number().nonnegative().default(1),
    feature: z.number().nonnegative().default(0),
    identity: z.number().nonnegative().default(0),
  }),
});
export type RefineRecipe = z.infer<typeof RefineRecipeSchema>;

/** models/encoder.json: what the encoder was trained against, and its refinement recipe (null: none helps). */
export const EncoderInfoSchema = z.looseObject({
  generator_fingerprint: z.string().optional(),
  refine: RefineRecipeSchema.nullable().optional(),
});
export type EncoderInfo = z.infer<typeof EncoderInfoSchema>;

/** Reads encoder.json beside the model; a missing file is no recipe and no fingerprint, a broken one an error. */
export function readEncoderInfo(file: string): EncoderInfo {
  if (!fs.existsSync(file)) return {};
  const parsed = EncoderInfoSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new ModelLoadError(`${file} is not an encoder description: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** E, loaded once: aligned faces in, G's latents out. */
export class Encoder {
  private constructor(
    private readonly loaded: LoadedSession,
    readonly file: string,
    /** The side of the square faces it reads. */
    readonly inputSize: number,
  ) {}

  static async load(file: string, provider: ProviderChoice = 'auto'): Promise<Encoder> {
    const loaded = await openSession(file, provider);
    expectNames(loaded, file, [ENCODER_INPUT], [ENCODER_OUTPUT]);
    return new Encoder(loaded, file, squareInputSide(loaded, ENCODER_INPUT) ?? 64);
  }

  /** One latent per image (NCHW float32 in [-1, 1], `count` images of inputSize x inputSize). */
  async encode(data: Float32Array, count: number): Promise<Float32Array[]> {
    const s = this.inputSize;
    if (data.length !== count * 3 * s * s) throw new RangeError(`${data.length} numbers are not ${count} RGB images of ${s}x${s}`);
    const out = await this.loaded.session.run({ [ENCODER_INPUT]: new ort.Tensor('float32', data, [count, 3, s, s]) });
    const flat = out[ENCODER_OUTPUT]!.data as Float32Array;
    const dim = flat.length / count;
    return Array.from({ length: count }, (_, i) => flat.slice(i * dim, (i + 1) * dim));
  }

  async close(): Promise<void> {
    await this.loaded.session.release();
  }
}
