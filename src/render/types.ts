import type { FaceReading, ReadOptions } from '../latent/steer.js';
/** The render errors live in errors.ts; front ends get them from src/conversation/errors.ts. */
export { QueueFullError, RenderTimeoutError } from './errors.js';

export interface RenderOptions {
  /** Output PNG side in pixels (the 64 px generator output is upscaled); default from config. */
  size?: number;
  /** Called with the 1-based position in line while the request waits (1 = next). */
  onQueued?: (position: number) => void;
}

/** Latent vector(s) in, PNG(s) out. Implementations batch concurrent requests into one ONNX run. */
export interface FaceRenderer {
  readonly zDim: number;
  renderPng(z: Float32Array, options?: RenderOptions): Promise<Buffer>;
  /**
   * Runs other work on G (e.g. F's reading of a face for explain) in the same line as the renders: it
   * counts against the capacity (QueueFullError), hears its position, runs alone between batches and
   * fails with RenderTimeoutError past the timeout.
   */
  runInLine<T>(task: () => Promise<T>, options?: Pick<RenderOptions, 'onQueued'>): Promise<T>;
}

/** F: scores a latent's rendered face on the 40 attributes (probabilities in [0, 1], CelebA order). */
export interface FaceScorer {
  scoreLatent(z: Float32Array): Promise<Float32Array>;
  /**
   * F's reading of rendered faces (logits, and age in years when F has an age head). When present, the
   * engine steers edits with it (closed loop, src/latent/steer.ts); without it, edits are open-loop.
   */
  read?(latents: Float32Array[], options?: ReadOptions): Promise<FaceReading[]>;
}
