import fs from 'node:fs';
import path from 'node:path';
import { AxesFileError, AxisSet } from '../latent/axes.js';
import { STEERING_REVISION } from '../latent/revision.js';
import { log } from '../log.js';
import { Classifier } from './classifier.js';
import { fingerprint } from './fingerprint.js';
import { Generator } from './generator.js';
import { ModelLoadError, type ProviderChoice } from './onnx.js';
import { RenderQueue } from './queue.js';
import { LatentScorer, type CriticGuard } from './scorer.js';
import { RECENT_FACES } from './recent.js';
import { Critic } from './critic.js';
import { readCriticCalibration } from '../latent/realism-critic.js';
import { Surrogate } from '../latent/surrogate.js';
import { probePrint, type Probe } from '../latent/probe.js';
import { ATTRIBUTES } from '../face/attributes.js';
import { RealismModel } from '../latent/realism.js';
import { IDENTITY_FILE, IDENTITY_INFO_FILE, identityHoldModels, type IdentitySetting } from './identity-hold-models.js';

export { ModelLoadError } from './onnx.js';

/** The generator fingerprint that `npm run axes` recorded in axes.json, if any. */
/** The fingerprints of the G and F an axes file was made with (undefined where it does not say). */
function axesMadeWith(file: string): { generator?: string; classifier?: string } {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { generator?: { sha256?: unknown }; classifier?: { sha256?: unknown } };
    const print = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const generator = print(json.generator?.sha256);
    const classifier = print(json.classifier?.sha256);
    return { ...(generator ? { generator } : {}), ...(classifier ? { classifier } : {}) };
  } catch {
    return {}; // AxisSet.fromFile has already said what is wrong with the file
  }
}

/**
 * The models' version, stored with each face: G and the axes file, and F too when it is not the F the axes
 * were made with. F steers every edit (the closed loop reads it), so another F draws other faces; the axes
 * file names its F, so with the F it names the version stays `G/axes` (the faces saved before F joined the
 * version keep theirs).
 */
export function modelsVersion(
  generator: string, axes: string, classifier: string, axesClassifier: string | undefined, surrogate?: string, realism?: string,
  identity?: string, steeringRevision?: number,
): string {
  const base = axesClassifier === classifier ? `${generator}/${axes}` : `${generator}/${axes}/${classifier}`;
  // the surrogate steers the loop too: faces drawn with it are other faces (s: keeps the old versions parseable)
  const steered = surrogate ? `${base}/s:${surrogate}` : base;
  // so does the realism guard (it turns down passes, and the seed search ranks with it)
  const guarded = realism ? `${steered}/r:${realism}` : steered;
  // and the identity hold (its network and band): refinements drawn with it are other faces
  const held = identity ? `${guarded}/i:${identity}` : guarded;
  // and the steering code itself (src/latent/revision.ts): a face redrawn under another revision may look different
  return steeringRevision !== undefined ? `${held}/e:${steeringRevision}` : held;
}

export const GENERATOR_FILE = 'generator.onnx';
export const CLASSIFIER_FILE = 'classifier.onnx';
export const AXES_FILE = 'axes.json';
export const SURROGATE_FILE = 'surrogate.json';
export const REALISM_FILE = 'realism.json';
export const CRITIC_FILE = 'critic.onnx';
export const CRITIC_CALIBRATION_FILE = 'critic.json';

/**
 * The realism critic (src/render/critic.ts) with its calibration, when both files are there and load, or why
 * not. Optional: without it the realism guard uses the density of realism.json (or nothing), and the problem
 * is logged with the command that remakes it.
 */
export async function criticFor(
  onnx: string, calibration: string, provider: ProviderChoice,
): Promise<{ guard?: CriticGuard; print?: string; problem?: string }> {
  if (!fs.existsSync(onnx) && !fs.existsSync(calibration)) return {};
  const remake = 'remake both with `/usr/bin/python3 training/train_critic.py` (training/README.md)';
  let cal;
  try {
    cal = readCriticCalibration(calibration);
  } catch (err) {
    return { problem: `${calibration} is not a usable critic calibration (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): the realism guard does without the critic; ${remake}` };
  }
  try {
    const critic = await Critic.load(onnx, provider);
    return { guard: { critic, calibration: cal }, print: `c${fingerprint(onnx).sha256}${fingerprint(calibration).sha256.slice(0, 6)}` };
  } catch (err) {
    return { problem: `${onnx} could not be loaded (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): the realism guard does without the critic; ${remake}` };
  }
}

/**
 * The realism guard's density (src/latent/realism.ts) when it fits this F, or why not. Optional like the
 * surrogate: without it the loop and the seed search run without the guard, and the problem is logged.
 */
export function realismFor(
  file: string, classifier: { hasFeatures: boolean; featureSize?: number | undefined }, classifierPrint: string,
): { realism?: RealismModel; print?: string; problem?: string } {
  if (!fs.existsSync(file)) return {};
  const remake = `remake it with \`/usr/bin/python3 training/fit_realism.py --models-dir ${path.dirname(file)}\``;
  let realism: RealismModel;
  try {
    realism = RealismModel.fromFile(file);
  } catch (err) {
    return { problem: `${file} is not a usable realism model (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): faces are drawn without the realism guard; ${remake}` };
  }
  if (!classifier.hasFeatures) return { problem: `${file}: the classifier has no \`features\` output for the realism guard to read: not used` };
  if (classifier.featureSize !== undefined && classifier.featureSize !== realism.dim) {
    return { problem: `${file} reads ${realism.dim} features, the classifier gives ${classifier.featureSize}: not used; ${remake}` };
  }
  if (realism.classifier !== undefined && realism.classifier !== classifierPrint) {
    return { problem: `${file} was fitted on another classifier's features: not used; ${remake}` };
  }
  return { realism, print: fingerprint(file).sha256 };
}

/**
 * The surrogate in `file` (src/latent/surrogate.ts) when it can steer for this generator, or why not. It is
 * optional: without it (no file, or one fitted for another G, or unreadable) the loop corrects along the axes,
 * as before, and the models still load; the problem is logged with the command that remakes it.
 */
export function surrogateFor(
  file: string, generator: string, zDim: number, probes: readonly Probe[] = [],
): { surrogate?: Surrogate; print?: string; problem?: string } {
  if (!fs.existsSync(file)) return {};
  const remake = `remake it with \`npm run surrogate -- --models-dir ${path.dirname(file)}\``;
  let surrogate: Surrogate;
  try {
    surrogate = Surrogate.fromFile(file);
  } catch (err) {
    return { problem: `${file} is not a usable surrogate (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): edits are steered along the axes alone; ${remake}` };
  }
  if (surrogate.zDim !== zDim) return { problem: `${file} takes z of ${surrogate.zDim} numbers, the generator ${zDim}: not used; ${remake}` };
  if (surrogate.generator !== undefined && surrogate.generator !== generator) {
    return { problem: `${file} was fitted for another generator than this one: not used (it would steer edits wrong); ${remake}` };
  }
  // a probe learned again since the fit (npm run attribute -- add) is steered along its axis until the surrogate is remade
  const stale = surrogate.staleProbes(new Map(probes.map((p) => [p.name, probePrint(p)])), new Set<string>([...ATTRIBUTES, 'Age']));
  const print = fingerprint(file).sha256;
  if (stale.length > 0) {
    return { surrogate: surrogate.without(stale), print, problem: `${file} was fitted on other probes for ${stale.join(', ')}: those are steered along their axes; ` +
      `fit their outputs again with \`npm run surrogate -- --models-dir ${path.dirname(file)} --replace ${stale.join(',')}\` (no other face changes), or ${remake}` };
  }
  return { surrogate, print };
}

export interface ModelConfig {
  modelsDir: string;
  provider: ProviderChoice;
  renderSize: number;
  queueCapacity: number;
  maxBatch: number;
  timeoutMs: number;
  /** The identity hold (IDENTITY_HOLD, IDENTITY_BAND): on by default when models/identity.onnx is there. */
  identity?: IdentitySetting;
  /**
   * How many faces G and the scorer remember (src/render/recent.ts), so that the engine does not draw or read a
   * face twice in a row (the loop's start is the search's read, the reply's picture the loop's last face): the
   * same faces, fewer runs. The engine's config sets RECENT_FACES; left out, none (benchmarks and evaluations
   * that read the same latents again measure every run).
   */
  recentFaces?: number;
}

/** The model settings of the validated config (src/config.ts) as loadFaceModels takes them. */
export function modelConfigFrom(config: {
  MODELS_DIR: string; EXECUTION_PROVIDER: ProviderChoice; RENDER_SIZE: number; QUEUE_CAPACITY: number; MAX_BATCH: number; RENDER_TIMEOUT_MS: number;
  IDENTITY_HOLD?: 'on' | 'off'; IDENTITY_BAND?: number | undefined;
}): ModelConfig {
  return {
    modelsDir: config.MODELS_DIR,
    provider: config.EXECUTION_PROVIDER,
    renderSize: config.RENDER_SIZE,
    queueCapacity: config.QUEUE_CAPACITY,
    maxBatch: config.MAX_BATCH,
    timeoutMs: config.RENDER_TIMEOUT_MS,
    identity: { hold: config.IDENTITY_HOLD ?? 'on', ...(config.IDENTITY_BAND !== undefined ? { band: config.IDENTITY_BAND } : {}) },
    recentFaces: RECENT_FACES,
  };
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

/** Why F cannot read the added attributes' probes in `axes` (no `features` output, or another width), if it cannot. */
export function probesProblem(axes: AxisSet, classifier: Classifier, axesFile: string): string | undefined {
  const probes = axes.probes();
  if (probes.length === 0) return undefined;
  const names = probes.map((p) => p.name).join(', ');
  if (!classifier.hasFeatures) {
    return `${axesFile} has added attributes (${names}) but ${classifier.file} has no \`features\` output for them to read: ` +
      'add it with `/usr/bin/python3 training/onnx_features.py ' + classifier.file + '`';
  }
  const width = probes[0]!.weights.length;
  const size = classifier.featureSize;
  if (size !== undefined && size !== width) {
    return `the added attributes in ${axesFile} (${names}) read ${width} features but ${classifier.file} gives ${size}: ` +
      'they were learned on another classifier; add them again with `npm run attribute -- add`';
  }
  return undefined;
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
  const probeProblem = probesProblem(axes, classifier, file(AXES_FILE));
  if (probeProblem) {
    await Promise.all([generator.close(), classifier.close()]);
    throw new ModelLoadError(probeProblem);
  }
  log.info({ provider: generator.provider, modelsDir: config.modelsDir }, `ONNX execution provider: ${generator.provider}`);
  const steering = surrogateFor(file(SURROGATE_FILE), generator.fingerprint, axes.zDim, axes.probes());
  if (steering.problem) log.warn({ file: file(SURROGATE_FILE) }, steering.problem);
  axes = axes.withSurrogate(steering.surrogate);
  const axesFile = fingerprint(file(AXES_FILE));
  const madeWith = axesMadeWith(file(AXES_FILE));
  const axesMadeFor = madeWith.generator;
  if (axesMadeFor !== undefined && axesMadeFor !== generator.fingerprint) {
    log.warn(
      { axesMadeFor, generator: generator.fingerprint },
      `${file(AXES_FILE)} was made for another generator than ${file(GENERATOR_FILE)}: edits will miss; remake it with ${axesCommand(config.modelsDir)}`,
    );
  }
  const classifierPrint = fingerprint(file(CLASSIFIER_FILE)).sha256;
  if (madeWith.classifier !== undefined && madeWith.classifier !== classifierPrint) {
    log.warn(
      { axesMadeFor: madeWith.classifier, classifier: classifierPrint },
      `${file(AXES_FILE)} was made with another classifier than ${file(CLASSIFIER_FILE)}: the closed loop steers by this one, so edits may miss; remake it with ${axesCommand(config.modelsDir)}`,
    );
  }
  for (const m of axes.added()) {
    if (m.record.classifier !== classifierPrint) {
      log.warn(
        { attribute: m.probe.name, probeMadeFor: m.record.classifier, classifier: classifierPrint },
        `the added attribute ${m.probe.name} was learned on another classifier's features than ${file(CLASSIFIER_FILE)}: ` +
          `it will not read right; add it again (npm run attribute -- add ${m.probe.name} --positive ${m.record.positive} --negative ${m.record.negative})`,
      );
    }
  }
  const guard = realismFor(file(REALISM_FILE), classifier, classifierPrint);
  if (guard.problem) log.warn({ file: file(REALISM_FILE) }, guard.problem);
  // the critic, when there, decides the guard's reading instead of the density (it tells smears from faces)
  let critic = await criticFor(file(CRITIC_FILE), file(CRITIC_CALIBRATION_FILE), generator.provider);
  if (critic.guard) {
    // a critic that reads another size than G draws would fail every read: not used, said once here
    const side = critic.guard.critic.inputSize;
    const drawn = (await generator.generate([new Float32Array(generator.zDim)])).size;
    if (side !== undefined && side !== drawn) {
      await critic.guard.critic.close();
      critic = { problem: `${file(CRITIC_FILE)} reads ${side} px faces, ${file(GENERATOR_FILE)} draws ${drawn} px: the realism guard does without the critic` };
    }
  }
  if (critic.problem) log.warn({ file: file(CRITIC_FILE) }, critic.problem);
  // the identity hold (src/latent/identity-hold.ts): the network reads every face the loop draws
  const drawnSide = (await generator.generate([new Float32Array(generator.zDim)])).size;
  const identity = await identityHoldModels(file(IDENTITY_FILE), file(IDENTITY_INFO_FILE), generator.provider, drawnSide, config.identity);
  if (identity.problem) log.warn({ file: file(IDENTITY_FILE) }, identity.problem);
  if (identity.note) log.info({ file: file(IDENTITY_FILE) }, identity.note);
  axes = axes.withIdentityHold(identity.hold);
  const renderer = new RenderQueue(generator, {
    capacity: config.queueCapacity,
    maxBatch: config.maxBatch,
    timeoutMs: config.timeoutMs,
    size: config.renderSize,
  });
  const scorer = new LatentScorer(generator, classifier, axes.probes(), guard.realism, critic.guard, identity.net);
  if (config.recentFaces) {
    generator.remember(config.recentFaces);
    scorer.remember(config.recentFaces);
  }
  return {
    generator,
    classifier,
    renderer,
    scorer,
    axes,
    provider: generator.provider,
    version: modelsVersion(generator.fingerprint, axesFile.sha256, classifierPrint, madeWith.classifier, steering.print, critic.print ?? guard.print, identity.print, STEERING_REVISION),
    async close() {
      await Promise.all([generator.close(), classifier.close(), critic.guard?.critic.close(), identity.net?.close()]);
    },
  };
}
