/**
 * How well an added attribute's stored probe separates photos it never saw (`npm run attribute -- score NAME
 * --positive DIR --negative DIR`): F's features of each photo, the probe's logit, the AUC and the accuracy at
 * p = 0.5. The cross-validated numbers `add` prints are over the photos it learned from; this is the check on
 * new ones (docs/skin-tone.md: the appearance probes on held-out UTKFace faces).
 */
import type { AttributeName } from '../face/attributes.js';
import type { AxisSet } from '../latent/axes.js';
import { probeLogits } from '../latent/probe.js';
import { auc } from '../latent/ridge.js';
import type { Classifier } from '../render/classifier.js';
import { readFolder, type CropName } from './attribute-images.js';

export interface ScoreResult {
  name: AttributeName;
  positives: number;
  negatives: number;
  auc: number;
  /** Share of photos on the right side of p = 0.5, the two folders weighted equally. */
  accuracy: number;
}

export async function scoreProbe(
  name: AttributeName, axes: AxisSet, classifier: Classifier, dirs: { positive: string; negative: string }, crop: CropName,
): Promise<ScoreResult> {
  const probe = axes.probes().find((p) => p.name === name);
  if (!probe) throw new Error(`${name} has no probe in these models' axes.json: add it first (npm run attribute -- add)`);
  const size = classifier.inputSize ?? 64;
  const logitsOf = async (dir: string) => {
    const img = await readFolder(dir, crop, size);
    if (img.files.length === 0) throw new Error(`no readable photos in ${dir}`);
    const features = (await classifier.read({ data: img.pixels, count: img.files.length, size })).features;
    if (!features) throw new Error(`${classifier.file} has no \`features\` output for the probe to read`);
    return Array.from(probeLogits([probe], features, img.files.length, features.length / img.files.length));
  };
  const pos = await logitsOf(dirs.positive);
  const neg = await logitsOf(dirs.negative);
  const share = (a: number[], ok: (v: number) => boolean) => a.filter(ok).length / a.length;
  return {
    name, positives: pos.length, negatives: neg.length,
    auc: auc([...pos, ...neg], [...pos.map(() => true), ...neg.map(() => false)]),
    accuracy: (share(pos, (v) => v > 0) + share(neg, (v) => v <= 0)) / 2,
  };
}
