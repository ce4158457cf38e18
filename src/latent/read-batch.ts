import type { FaceReading, ReadFaces } from './steer.js';

/**
 * Wraps a reader so that reads requested in the same tick run as one batch: many faces steered at once
 * (Promise.all) share each G+F pass. For evaluations and batch renders; the result is the same as unbatched.
 */
export function batchReads(read: ReadFaces, maxBatch = 256): ReadFaces {
  let waiting: Array<{ zs: Float32Array[]; resolve: (r: FaceReading[]) => void; reject: (e: unknown) => void }> = [];
  const flush = async () => {
    const jobs = waiting;
    waiting = [];
    const all = jobs.flatMap((j) => j.zs);
    try {
      const out: FaceReading[] = [];
      for (let i = 0; i < all.length; i += maxBatch) out.push(...(await read(all.slice(i, i + maxBatch))));
      let k = 0;
      for (const j of jobs) {
        j.resolve(out.slice(k, k + j.zs.length));
        k += j.zs.length;
      }
    } catch (err) {
      for (const j of jobs) j.reject(err);
    }
  };
  return (zs) =>
    new Promise<FaceReading[]>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(() => void flush());
      waiting.push({ zs, resolve, reject });
    });
}
