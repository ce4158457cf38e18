import type { Classifier } from './classifier.js';
import { sigmoid } from './classifier.js';
import type { Generator } from './generator.js';
import type { FaceScorer } from './types.js';

/** F(G(z)): the classifier's probabilities for the face a latent renders to. */
export class LatentScorer implements FaceScorer {
  constructor(
    private readonly generator: Generator,
    private readonly classifier: Classifier,
  ) {}

  /** Logits for many latents, row-major [n, 40], run in chunks of `batch`. */
  async logits(latents: readonly Float32Array[], batch = 256): Promise<Float32Array> {
    const out = new Float32Array(latents.length * 40);
    for (let i = 0; i < latents.length; i += batch) {
      const chunk = latents.slice(i, i + batch);
      const images = await this.generator.generate(chunk);
      out.set(await this.classifier.logits(images), i * 40);
    }
    return out;
  }

  async scoreLatent(z: Float32Array): Promise<Float32Array> {
    return (await this.logits([z])).map(sigmoid);
  }
}
