import type { FaceReading } from '../latent/steer.js';
import type { Classifier } from './classifier.js';
import { sigmoid } from './classifier.js';
import type { Generator } from './generator.js';
import type { FaceScorer } from './types.js';

/** F(G(z)): the classifier's reading of the face a latent renders to. */
export class LatentScorer implements FaceScorer {
  constructor(
    private readonly generator: Generator,
    private readonly classifier: Classifier,
  ) {}

  /** Whether F reads age in years too. */
  get readsAge(): boolean {
    return this.classifier.hasAge;
  }

  /** Logits for many latents, row-major [n, 40], run in chunks of `batch`. */
  async logits(latents: readonly Float32Array[], batch = 256): Promise<Float32Array> {
    return (await this.readMany(latents, batch)).logits;
  }

  /** Logits row-major [n, 40] and, when F has an age head, ages in years [n], run in chunks of `batch`. */
  async readMany(latents: readonly Float32Array[], batch = 256): Promise<{ logits: Float32Array; ages?: Float32Array }> {
    const logits = new Float32Array(latents.length * 40);
    const ages = this.classifier.hasAge ? new Float32Array(latents.length) : undefined;
    for (let i = 0; i < latents.length; i += batch) {
      const chunk = latents.slice(i, i + batch);
      const out = await this.classifier.read(await this.generator.generate(chunk));
      logits.set(out.logits, i * 40);
      if (ages && out.ages) ages.set(out.ages, i);
    }
    return { logits, ...(ages ? { ages } : {}) };
  }

  /** F's reading of each latent's face: 40 logits, and the age in years when F has an age head. */
  async read(latents: Float32Array[]): Promise<FaceReading[]> {
    const out = await this.readMany(latents);
    return latents.map((_, i) => ({
      logits: out.logits.slice(i * 40, (i + 1) * 40),
      ...(out.ages ? { age: out.ages[i]! } : {}),
    }));
  }

  async scoreLatent(z: Float32Array): Promise<Float32Array> {
    return (await this.logits([z])).map(sigmoid);
  }
}
