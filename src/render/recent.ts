/**
 * The last few things computed per latent (a face G drew, F's reading of it), so that the same latent is not
 * drawn or read twice in a row: the seed search reads a face the closed loop then starts from, and the reply's
 * picture is the face the loop read last. Keyed by the latent's exact bytes; least recently used go first.
 * G and F give the same output for a face whatever else is in the batch (ONNX Runtime on CPU: checked by
 * scripts/same-faces.ts), so a remembered result is the one a new run would give.
 */
/** How many faces the engine's models remember (ModelConfig.recentFaces from the config: 24 MB of 64 px images; enough that 50 requests at once, batched together, do not push out a face between its read and its reply). */
export const RECENT_FACES = 512;

export class RecentByLatent<T> {
  private readonly entries = new Map<string, T>();

  constructor(readonly capacity: number) {}

  get(z: Float32Array): T | undefined {
    if (this.capacity <= 0) return undefined;
    const key = latentKey(z);
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(z: Float32Array, value: T): void {
    if (this.capacity <= 0) return;
    const key = latentKey(z);
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A latent's exact bytes as a string (a map key). */
export function latentKey(z: Float32Array): string {
  return Buffer.from(z.buffer, z.byteOffset, z.byteLength).toString('base64');
}
