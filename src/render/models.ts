import fs from 'node:fs';
import path from 'node:path';
import { AxesFileError, AxisSet } from '../latent/axes.js';
import { log } from '../log.js';
import { Classifier } from './classifier.js';
import { fingerprint } from './fingerprint.js';
import { Generator } from './generator.js';
import { ModelLoadError, type ProviderChoice } from './onnx.js';
import { RenderQueue } from './queue.js';
import { LatentScorer } from './scorer.js';

export { ModelLoadError } from './onnx.js';

/** The generator fingerprint that `npm run axes` recorded in axes.json, if any. */
function axesGeneratorFingerprint(file: string): string | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { generator?: { sha256?: unknown } };
    return typeof json.generator?.sha256 === 'string' ? json.generator.sha256 : undefined;
  } catch {
    return undefined; // AxisSet.fromFile has already said what is wrong with the file
  }
}

export const GENERATOR_FILE = 'generator.onnx';
export const CLASSIFIER_FILE = 'classifier.onnx';
export const AXES_FILE = 'axes.json';

export interface ModelConfig {
  modelsDir: string;
  provider: ProviderChoice;
  renderSize: number;
  queueCapacity: number;
  maxBatch: number;
  timeoutMs: number;
}

export interface FaceModels {
  generator: Generator;
  classifier: Classifier;
  renderer: RenderQueue;
  scorer: LatentScorer;
  axes: AxisSet;
  provider: 'cuda' | 'cpu';
  /** "<generator fingerprint>/<axes fingerprint>": what a stored face records as the models that drew it. */
  version: string;
  close(): Promise<void>;
}

/** What the conversation engine needs from the loaded models (createEngine's deps, less the store). */
export function engineModels(models: FaceModels): Pick<FaceModels, 'renderer' | 'scorer' | 'axes'> & { model: string } {
  return { renderer: models.renderer, scorer: models.scorer, axes: models.axes, model: models.version };
}

/** Loads G, F and the axes once, and builds the shared render queue. Errors name the file at fault. */
export async function loadFaceModels(config: ModelConfig): Promise<FaceModels> {
  const file = (name: string) => path.join(config.modelsDir, name);
  let axes: AxisSet;
  try {
    axes = AxisSet.fromFile(file(AXES_FILE));
  } catch (err) {
    if (err instanceof AxesFileError) throw new ModelLoadError(err.message);
    throw err;
  }
  const generator = await Generator.load(file(GENERATOR_FILE), config.provider);
  let classifier: Classifier;
  try {
    classifier = await Classifier.load(file(CLASSIFIER_FILE), generator.provider);
  } catch (err) {
    await generator.close();
    throw err;
  }
  if (generator.zDim !== axes.zDim) {
    await Promise.all([generator.close(), classifier.close()]);
    throw new ModelLoadError(
      `${file(AXES_FILE)} was made for z of ${axes.zDim} numbers but ${file(GENERATOR_FILE)} takes ${generator.zDim}: run \`npm run axes\``,
    );
  }
  log.info({ provider: generator.provider, modelsDir: config.modelsDir }, `ONNX execution provider: ${generator.provider}`);
  const axesFile = fingerprint(file(AXES_FILE));
  const axesMadeFor = axesGeneratorFingerprint(file(AXES_FILE));
  if (axesMadeFor !== undefined && axesMadeFor !== generator.fingerprint) {
    log.warn(
      { axesMadeFor, generator: generator.fingerprint },
      `${file(AXES_FILE)} was made for another generator than ${file(GENERATOR_FILE)}: edits will miss; run \`npm run axes -- --models-dir ${config.modelsDir}\``,
    );
  }
  const renderer = new RenderQueue(generator, {
    capacity: config.queueCapacity,
    maxBatch: config.maxBatch,
    timeoutMs: config.timeoutMs,
    size: config.renderSize,
  });
  return {
    generator,
    classifier,
    renderer,
    scorer: new LatentScorer(generator, classifier),
    axes,
    provider: generator.provider,
    version: `${generator.fingerprint}/${axesFile.sha256}`,
    async close() {
      await Promise.all([generator.close(), classifier.close()]);
    },
  };
}
