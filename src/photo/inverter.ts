import fs from 'node:fs';
import path from 'node:path';
import { log } from '../log.js';
import type { Classifier } from '../render/classifier.js';
import { Encoder, readEncoderInfo, type RefineRecipe } from '../render/encoder.js';
import type { Generator } from '../render/generator.js';
import { IdentityNet, identityDistance } from '../render/identity.js';
import type { ProviderChoice } from '../render/onnx.js';
import { keepInRange } from '../latent/edit.js';
import { refineLatent, rowL1, rowRelative, type CandidateLoss } from './refine.js';

export const ENCODER_FILE = 'encoder.onnx';
export const ENCODER_INFO_FILE = 'encoder.json';
export const IDENTITY_FILE = 'identity.onnx';

/** A photo's latent: E(x), refined when the recipe says so. */
export interface PhotoInversion {
  z: Float32Array;
  /** The refinement's distance to the photo before and after (absent without a recipe). */
  refined?: { before: number; after: number; rounds: number };
}

/** What the engine needs to turn an aligned face into a latent. */
export interface PhotoInverter {
  /** The side of the aligned face it reads. */
  readonly inputSize: number;
  /** NCHW float32 RGB in [-1, 1], one face of inputSize x inputSize. */
  invert(pixels: Float32Array): Promise<PhotoInversion>;
  /** Releases its own networks (G and F belong to the caller). */
  close?(): Promise<void>;
}

/** E, then the refinement of src/photo/refine.ts with G, F's features and (when there) the identity network. */
export class ModelPhotoInverter implements PhotoInverter {
  constructor(
    private readonly encoder: Encoder,
    private readonly generator: Generator,
    private readonly classifier: Classifier,
    private readonly recipe: RefineRecipe | null,
    private readonly identity?: IdentityNet,
  ) {}

  get inputSize(): number {
    return this.encoder.inputSize;
  }

  async invert(pixels: Float32Array): Promise<PhotoInversion> {
    const [ex] = await this.encoder.encode(pixels, 1);
    const recipe = this.recipe;
    if (!recipe || recipe.rounds === 0) return { z: recipe ? keepInRange(ex!.map((x) => x * recipe.gain)) : ex! };
    const z0 = ex!.map((x) => x * recipe.gain);
    // the encoder's own correction: E(x) - E(G(best)), added to best
    const residual = recipe.residual ? async (z: Float32Array) => {
      const g = await this.generator.generate([z]);
      const [eg] = await this.encoder.encode(g.data, 1);
      return z.map((v, i) => v + ex![i]! - eg![i]!);
    } : undefined;
    const r = await refineLatent(z0, recipe, await this.lossTo(pixels, recipe.weights), residual);
    return { z: r.z, refined: { before: r.before, after: r.after, rounds: r.rounds } };
  }

  /**
   * The recipe's score of each candidate's face against the photo (lower is closer): pixel x mean|G(z) - x| +
   * feature x |F(G(z)) - F(x)|^2 / |F(x)|^2 + identity x (1 - cosine); a term without its network, or with
   * weight 0, is left out.
   */
  async lossTo(pixels: Float32Array, w: RefineRecipe['weights']): Promise<CandidateLoss> {
    const featureWeight = this.classifier.hasFeatures ? w.feature : 0;
    const idWeight = this.identity ? w.identity : 0;
    const target = { count: 1, size: this.encoder.inputSize, data: pixels };
    const targetFeatures = featureWeight > 0 ? (await this.classifier.read(target)).features : undefined;
    const targetId = idWeight > 0 ? (await this.identity!.embed(target))[0] : undefined;
    return async (latents) => {
      const batch = await this.generator.generate(latents);
      if (batch.size !== this.encoder.inputSize) throw new Error(`G draws ${batch.size} px faces, the encoder reads ${this.encoder.inputSize} px`);
      const loss = rowL1(batch.data, batch.count, pixels).map((d) => w.pixel * d);
      if (targetFeatures) {
        const f = (await this.classifier.read(batch)).features!;
        rowRelative(f, batch.count, targetFeatures).forEach((d, i) => (loss[i] = loss[i]! + featureWeight * d));
      }
      if (targetId) {
        const emb = await this.identity!.embed(batch);
        emb.forEach((e, i) => (loss[i] = loss[i]! + idWeight * identityDistance(e, targetId)));
      }
      return loss;
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.encoder.close(), this.identity?.close()]);
  }
}

/** Why photos cannot be used with the models in modelsDir (said to users who send one), or the inverter. */
export async function loadPhotoInverter(
  modelsDir: string, generator: Generator, classifier: Classifier, provider: ProviderChoice,
): Promise<{ inverter: ModelPhotoInverter } | { problem: string }> {
  const file = path.join(modelsDir, ENCODER_FILE);
  if (!fs.existsSync(file)) {
    return { problem: `Faces from photos are not available here: this installation has no photo encoder (${ENCODER_FILE} is missing from its models folder).` };
  }
  const info = readEncoderInfo(path.join(modelsDir, ENCODER_INFO_FILE));
  const encoder = await Encoder.load(file, provider);
  const made = info.generator_fingerprint;
  if (made && made !== 'fixture' && !made.startsWith(generator.fingerprint) && !generator.fingerprint.startsWith(made)) {
    log.warn({ encoderMadeFor: made, generator: generator.fingerprint }, `${file} was trained against another generator: photos will be redrawn less closely`);
  }
  const idFile = path.join(modelsDir, IDENTITY_FILE);
  const wantsId = (info.refine?.weights.identity ?? 0) > 0 && fs.existsSync(idFile);
  const identity = wantsId ? await IdentityNet.load(idFile, provider) : undefined;
  return { inverter: new ModelPhotoInverter(encoder, generator, classifier, info.refine ?? null, identity) };
}
