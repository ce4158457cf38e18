import fs from 'node:fs';
import { z } from 'zod';

/**
 * The realism guard's measure: how far a rendered face lies from real faces, in F's `features` space (the
 * 256 numbers its logits head reads, which come with every F pass the closed loop makes anyway). Real crops
 * of the training split were read by F and a probabilistic PCA fitted to them (training/fit_realism.py:
 * the mean, the top K directions with their variances, one variance for the rest); a face's score is its
 * Mahalanobis distance² under that density divided by the dimension, so a real crop scores about 1
 * (held-out real crops: median 0.95, 99th percentile 2.0, stored in the file's calibration).
 * It is not F's attribute reading: a smear with the colour of sunglasses can satisfy F's Eyeglasses logit
 * and still sit far from every real face in the features F reads it from.
 * Costs one 256×64 projection per face (about 20 µs in JavaScript).
 */
export const RealismFileSchema = z.object({
  version: z.literal(1),
  dim: z.number().int().positive(),
  k: z.number().int().nonnegative(),
  mean: z.array(z.number()),
  /** [k][dim], orthonormal. */
  components: z.array(z.array(z.number())),
  variances: z.array(z.number().positive()),
  residual: z.number().positive(),
  calibration: z.object({
    heldOut: z.record(z.string(), z.number()),
    train: z.record(z.string(), z.number()).optional(),
  }),
  /** The F whose features it was fitted on (classifier.onnx's fingerprint). */
  classifier: z.string().optional(),
});
export type RealismFile = z.infer<typeof RealismFileSchema>;

export class RealismModel {
  private readonly mean: Float32Array;
  private readonly comps: Float32Array;

  constructor(private readonly file: RealismFile) {
    const { dim, k } = file;
    if (file.mean.length !== dim) throw new Error(`realism: mean has ${file.mean.length} numbers, not dim ${dim}`);
    if (file.components.length !== k || file.variances.length !== k || file.components.some((c) => c.length !== dim)) {
      throw new Error(`realism: ${k} components of ${dim} expected`);
    }
    this.mean = Float32Array.from(file.mean);
    this.comps = new Float32Array(k * dim);
    file.components.forEach((c, i) => this.comps.set(c, i * dim));
  }

  static fromFile(path: string): RealismModel {
    return new RealismModel(RealismFileSchema.parse(JSON.parse(fs.readFileSync(path, 'utf8'))));
  }

  get dim(): number {
    return this.file.dim;
  }

  get classifier(): string | undefined {
    return this.file.classifier;
  }

  /** The held-out real crops' distance at percentile q (50, 90, 95, 99), when calibrated. */
  heldOut(q: number): number | undefined {
    return this.file.calibration.heldOut[String(q)];
  }

  /** Mahalanobis distance² / dim of one face's features (offset into a row-major [n, dim] array). */
  distance(features: ArrayLike<number>, offset = 0): number {
    const { dim, k, variances, residual } = this.file;
    const x = new Float64Array(dim);
    let total = 0;
    for (let i = 0; i < dim; i++) {
      x[i] = features[offset + i]! - this.mean[i]!;
      total += x[i]! * x[i]!;
    }
    let along = 0;
    let inside = 0;
    for (let c = 0; c < k; c++) {
      let p = 0;
      const row = c * dim;
      for (let i = 0; i < dim; i++) p += this.comps[row + i]! * x[i]!;
      along += (p * p) / variances[c]!;
      inside += p * p;
    }
    return (along + Math.max(0, total - inside) / residual) / dim;
  }
}
