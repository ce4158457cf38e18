import path from 'node:path';
import { AxisSet } from '../latent/axes.js';
import { Classifier } from '../render/classifier.js';
import { Generator } from '../render/generator.js';
import { AXES_FILE, CLASSIFIER_FILE, GENERATOR_FILE, probesProblem, SURROGATE_FILE, surrogateFor } from '../render/models.js';
import type { ProviderChoice } from '../render/onnx.js';
import { LatentScorer } from '../render/scorer.js';

/** G, F, the axes with their surrogate, and a scorer that reads the added attributes' probes. */
export interface SteeringModels {
  generator: Generator;
  classifier: Classifier;
  axes: AxisSet;
  scorer: LatentScorer;
  close(): Promise<void>;
}

/**
 * The models the measuring CLIs steer faces with (`attribute check`, `eval:skin`), loaded from a folder: a surrogate
 * for another G is said (`say`) and not used; probes F cannot read are refused with `refuse(problem)`, the models
 * closed first.
 */
export async function loadSteeringModels(
  modelsDir: string, provider: ProviderChoice, say: (line: string) => void, refuse: (problem: string) => Error,
): Promise<SteeringModels> {
  const generator = await Generator.load(path.join(modelsDir, GENERATOR_FILE), provider);
  const plainAxes = AxisSet.fromFile(path.join(modelsDir, AXES_FILE));
  const steering = surrogateFor(path.join(modelsDir, SURROGATE_FILE), generator.fingerprint, generator.zDim, plainAxes.probes());
  if (steering.problem) say(steering.problem);
  const axes = plainAxes.withSurrogate(steering.surrogate);
  const classifier = await Classifier.load(path.join(modelsDir, CLASSIFIER_FILE), generator.provider);
  const close = async () => {
    await Promise.all([generator.close(), classifier.close()]);
  };
  const problem = probesProblem(axes, classifier, path.join(modelsDir, AXES_FILE));
  if (problem) {
    await close();
    throw refuse(problem);
  }
  return { generator, classifier, axes, scorer: new LatentScorer(generator, classifier, axes.probes()), close };
}
