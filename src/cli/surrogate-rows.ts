import { ATTRIBUTES } from '../face/attributes.js';
import type { ManyReadings } from '../render/scorer.js';

/**
 * What `npm run surrogate` fits on (training/fit_surrogate.py): one float32 row per face, [z, outputs], and the
 * outputs' names in column order: F's 40 logits, the age in years when F has an age head, then each added
 * attribute's probe logit (skin tone, appearance, your own), so the closed loop follows the probe's own
 * gradient at each face for them too instead of one straight axis for every face.
 */
export function surrogateRows(
  zs: readonly Float32Array[], read: Pick<ManyReadings, 'logits' | 'ages' | 'added'>, probeNames: readonly string[],
): { outputs: string[]; rows: Float32Array } {
  const zDim = zs[0]?.length ?? 0;
  const probes = read.added ? probeNames : [];
  if (read.added && read.added.length !== zs.length * probes.length) {
    throw new Error(`${read.added.length} probe logits for ${zs.length} faces and ${probes.length} probes`);
  }
  const outputs = [...ATTRIBUTES, ...(read.ages ? ['Age'] : []), ...probes];
  const width = zDim + outputs.length;
  const rows = new Float32Array(zs.length * width);
  const probesAt = zDim + 40 + (read.ages ? 1 : 0);
  for (const [i, z] of zs.entries()) {
    rows.set(z, i * width);
    rows.set(read.logits.subarray(i * 40, i * 40 + 40), i * width + zDim);
    if (read.ages) rows[i * width + zDim + 40] = read.ages[i]!;
    if (read.added) rows.set(read.added.subarray(i * probes.length, (i + 1) * probes.length), i * width + probesAt);
  }
  return { outputs, rows };
}
