import type { FaceReading } from '../latent/steer.js';
/** Thrown when the render queue is at capacity; the caller should tell the user to try again soon. */
export class QueueFullError extends Error {
  constructor(readonly capacity: number) {
    super(`the render queue is full (${capacity} waiting); try again in a moment`);
    this.name = 'QueueFullError';
  }
}

/** Thrown when a render request waited or ran longer than its timeout. */
export class RenderTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`rendering took longer than ${timeoutMs < 10_000 ? (timeoutMs / 1000).toFixed(1) : Math.round(timeoutMs / 1000)} s and was given up`);
    this.name = 'RenderTimeoutError';
  }
}

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
}

/** F: scores a latent's rendered face on the 40 attributes (probabilities in [0, 1], CelebA order). */
export interface FaceScorer {
  scoreLatent(z: Float32Array): Promise<Float32Array>;
  /**
   * F's reading of rendered faces (logits, and age in years when F has an age head). When present, the
   * engine steers edits with it (closed loop, src/latent/steer.ts); without it, edits are open-loop.
   */
  read?(latents: Float32Array[]): Promise<FaceReading[]>;
}
