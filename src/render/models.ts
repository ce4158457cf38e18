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

/** The command that remakes axes.json for the models in `modelsDir` (never the repository's own, unasked). */
export function axesCommand(modelsDir: string): string {
  const shipped = path.resolve('models');
  return path.resolve(modelsDir) === shipped ? '`npm run axes`' : `\`npm run axes -- --models-dir ${modelsDir}\``;
}

/**
 * Every model file missing from `modelsDir`, named, with the advice that fits: G and F ship with the
 * repository (copy them, or point MODELS_DIR back at models/); axes.json can be made from G and F.
 */
export function missingModelsProblem(modelsDir: string): string | undefined {
  const missing = [GENERATOR_FILE, CLASSIFIER_FILE, AXES_FILE].filter((f) => !fs.existsSync(path.join(modelsDir, f)));
  if (missing.length === 0) return undefined;
  const networks = missing.filter((f) => f !== AXES_FILE);
  const advice = networks.length > 0
    ? `these ship in the repository's models/ folder: copy ${missing.join(', ')} from there into ${modelsDir}, ` +
      'or unset MODELS_DIR to use models/ (to train your own, see training/README.md)'
    : `make it from the generator and classifier there with ${axesCommand(modelsDir)} (a few minutes), ` +
      "or copy it from the repository's models/ if these are the shipped networks";
  return `${modelsDir} lacks ${missing.join(', ')}: ${advice}`;
}

/** Loads G, F and the axes once, and builds the shared render queue. Errors name the file at fault. */
export async function loadFaceModels(config: ModelConfig): Promise<FaceModels> {
  const file = (name: string) => path.join(config.modelsDir, name);
  const missing = missingModelsProblem(config.modelsDir);
  if (missing) throw new ModelLoadError(missing);
  let axes: AxisSet;
  try {
    axes = AxisSet.fromFile(file(AXES_FILE));
  } catch (err) {
    if (err instanceof AxesFileError) throw new ModelLoadError(`${err.message}: remake it with ${axesCommand(config.modelsDir)}`);
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
      `${file(AXES_FILE)} was made for z of ${axes.zDim} numbers but ${file(GENERATOR_FILE)} takes ${generator.zDim}: remake it with ${axesCommand(config.modelsDir)}`,
    );
  }
  log.info({ provider: generator.provider, modelsDir: config.modelsDir }, `ONNX execution provider: ${generator.provider}`);
  const axesFile = fingerprint(file(AXES_FILE));
  const axesMadeFor = axesGeneratorFingerprint(file(AXES_FILE));
  if (axesMadeFor !== undefined && axesMadeFor !== generator.fingerprint) {
    log.warn(
      { axesMadeFor, generator: generator.fingerprint },
      `${file(AXES_FILE)} was made for another generator than ${file(GENERATOR_FILE)}: edits will miss; remake it with ${axesCommand(config.modelsDir)}`,
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
