import type { FaceReading, ReadFaces, ReadOptions } from './steer.js';

/**
 * Wraps a reader so that reads requested in the same tick run as one batch: many faces steered at once
 * (Promise.all) share each G+F pass. For evaluations and batch renders; the result is the same as unbatched.
 * Each request's options go with its latents (the identity network is read on the faces asked for only).
 */
export function batchReads(read: ReadFaces, maxBatch = 256): ReadFaces {
  let waiting: Array<{ zs: Float32Array[]; options?: ReadOptions; resolve: (r: FaceReading[]) => void; reject: (e: unknown) => void }> = [];
  const flush = async () => {
    const jobs = waiting;
    waiting = [];
    const all = jobs.flatMap((j) => j.zs);
    // one flag per latent; a request that does not say leaves it to the reader (undefined)
    const asked = jobs.some((j) => j.options?.identity !== undefined);
    const flags = jobs.flatMap((j) => j.zs.map((_, i) => {
      const id = j.options?.identity;
      return typeof id === 'boolean' ? id : id?.[i];
    }));
    try {
      const out: FaceReading[] = [];
      for (let i = 0; i < all.length; i += maxBatch) {
        const zs = all.slice(i, i + maxBatch);
        const part = flags.slice(i, i + maxBatch);
        out.push(...(await (asked ? read(zs, { identity: part.map((f) => f ?? true) }) : read(zs))));
      }
      let k = 0;
      for (const j of jobs) {
        j.resolve(out.slice(k, k + j.zs.length));
        k += j.zs.length;
      }
    } catch (err) {
      for (const j of jobs) j.reject(err);
    }
  };
  return (zs, options) =>
    new Promise<FaceReading[]>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(() => void flush());
      waiting.push({ zs, ...(options ? { options } : {}), resolve, reject });
    });
}
