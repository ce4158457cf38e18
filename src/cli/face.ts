/**
 * npm run --silent face -- [DESCRIPTION] --seed S [--count N] [--out-dir DIR | --out FILE] [--size PX] [--truncation PSI] [--open-loop]
 * Renders the faces for seeds S..S+N-1 as PNGs (DIR/<seed>.png). With no DESCRIPTION the face is the
 * unedited seed. DESCRIPTION is plain English ("older man, smiling") or weights ("Male=1,Young=-0.5").
 * Edits go through the engine's own code (faceLatentFor: closed-loop, steered by F on the rendered face),
 * so what this draws is what users get; --open-loop draws the linear move alone, for comparison.
 * --then TEXT (repeatable) refines the face, as a reply would: "an old man" --then "make him younger"
 * (each holding the goals of the edits before it, docs/held-goals.md).
 * A description starts from the seed search's pick, as a new face in the chat does (src/latent/seed-search.ts;
 * --set N: the candidate set a reroll moves to, N rerolls on); --no-search starts from the seed's own latent; --no-guard draws without the realism guard.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDescription } from '../grammar/index.js';
import type { ParseResult } from '../grammar/types.js';
import { AxisSet } from '../latent/axes.js';
import { faceLatent, keepInRange } from '../latent/edit.js';
import type { Edit } from '../face/record.js';
import { isValidSeed, seedToLatent } from '../latent/seed.js';
import { isValidTruncation, truncate, TRUNCATION_MAX, TRUNCATION_MIN } from '../latent/truncation.js';
import { Generator } from '../render/generator.js';
import { editFrom, faceLatentFor, searchedEdits } from '../conversation/engine.js';
import { Classifier } from '../render/classifier.js';
import {
  AXES_FILE, CLASSIFIER_FILE, CRITIC_CALIBRATION_FILE, CRITIC_FILE, criticFor, GENERATOR_FILE, REALISM_FILE, realismFor, SURROGATE_FILE, surrogateFor,
} from '../render/models.js';
import { LatentScorer } from '../render/scorer.js';
import { batchReads } from '../latent/steer.js';
import { STEERING_REVISION } from '../latent/revision.js';
import { encodePng } from '../render/png.js';
import { fingerprint } from '../render/fingerprint.js';
import { labelPng } from '../render/png-label.js';
import { captionForEdits } from '../conversation/wording.js';
import { withHeldGoals } from '../conversation/held-goals.js';
import { SOFTWARE } from '../version.js';
import { parseWeightList } from '../grammar/weight-list.js';
import { cliConfig } from './args.js';

const USAGE =
  'usage: npm run --silent face -- [DESCRIPTION] --seed S [--count N] [--out-dir DIR | --out FILE] [--size PX] [--truncation PSI] [--then TEXT]... [--open-loop] [--no-search] [--no-guard] [--set N]';

function fail(message: string): never {
  console.error(`face: ${message}`);
  process.exit(2);
}

function toEdit(text: string, refining = false): Edit {
  const weights = parseWeightList(text);
  const parsed: ParseResult = weights
    ? { weights, mode: Object.fromEntries(Object.keys(weights).map((k) => [k, 'target'])), locks: [], unknown: [], notes: [] }
    : parseDescription(text);
  if (Object.keys(parsed.weights).length === 0 && parsed.locks.length === 0) {
    const unknown = parsed.unknown.length ? ` (not understood: ${parsed.unknown.join(', ')})` : '';
    fail(`nothing in "${text.slice(0, 80)}" describes a face${unknown}. Try "older man, smiling, glasses".`);
  }
  if (parsed.unknown.length) console.error(`face: not understood: ${parsed.unknown.join(', ')}`);
  return editFrom(text, parsed, refining);
}

async function main(): Promise<void> {
  const config = cliConfig('face');
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        seed: { type: 'string' },
        count: { type: 'string', default: '1' },
        'out-dir': { type: 'string' },
        out: { type: 'string' },
        size: { type: 'string', default: '256' },
        truncation: { type: 'string', default: String(config.TRUNCATION) },
        'models-dir': { type: 'string', default: config.MODELS_DIR },
        provider: { type: 'string', default: config.EXECUTION_PROVIDER },
        'open-loop': { type: 'boolean', default: false },
        'no-search': { type: 'boolean', default: false },
        'no-guard': { type: 'boolean', default: false },
        set: { type: 'string', default: '0' },
        then: { type: 'string', multiple: true },
      },
    });
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const seed = Number(values.seed);
  const count = Number(values.count);
  const size = Number(values.size);
  if (values.seed === undefined) fail(`--seed is required: which face to draw, a whole number such as --seed 7\n${USAGE}`);
  if (!isValidSeed(seed)) fail(`--seed must be a whole number in 0..4294967295, not "${values.seed}"\n${USAGE}`);
  if (!Number.isInteger(count) || count < 1 || count > 10_000) fail('--count must be an integer in 1..10000');
  if (!Number.isInteger(size) || size < 16 || size > 2048) fail('--size must be an integer in 16..2048');
  const set = Number(values.set);
  if (!Number.isInteger(set) || set < 0 || set > 1_000_000) fail('--set must be a whole number in 0..1000000');
  const truncation = Number(values.truncation);
  if (!isValidTruncation(truncation)) fail(`--truncation must be a number in ${TRUNCATION_MIN}..${TRUNCATION_MAX}`);
  if (!['auto', 'cpu', 'cuda'].includes(values.provider!)) fail('--provider must be auto, cpu or cuda');
  if (values.out && count > 1) fail('--out names one file; use --out-dir with --count');
  if (!isValidSeed(seed + count - 1)) fail('seed + count - 1 must stay within 0..4294967295');
  const description = positionals.join(' ').trim();
  const modelsDir = path.resolve(values['models-dir']!);

  const generator = await Generator.load(path.join(modelsDir, GENERATOR_FILE), values.provider as 'auto' | 'cpu' | 'cuda');
  const refinements = values.then ?? [];
  if (refinements.length > 0 && !description) fail('--then refines a description: give one first');
  // each refinement holds the goals of the edits before it, as a reply in the chat does (docs/held-goals.md)
  const edits = refinements.reduce<Edit[]>((chain, r) => [...chain, withHeldGoals(chain, toEdit(r, true))], description ? [toEdit(description)] : []);
  // the surrogate the engine's loop steers by, when the folder has one for this G (as loadFaceModels does)
  const plainAxes = edits.length ? AxisSet.fromFile(path.join(modelsDir, AXES_FILE)) : undefined;
  const steering = plainAxes && !values['open-loop'] ? surrogateFor(path.join(modelsDir, SURROGATE_FILE), generator.fingerprint, generator.zDim, plainAxes.probes()) : {};
  if (steering.problem) console.error(steering.problem);
  const axes = plainAxes?.withSurrogate(steering.surrogate);
  const classifier = axes && !values['open-loop'] ? await Classifier.load(path.join(modelsDir, CLASSIFIER_FILE), generator.provider) : undefined;
  // the realism guard, as loadFaceModels loads it (--no-guard: without it, for comparison)
  const guard = classifier && !values['no-guard'] ? realismFor(path.join(modelsDir, REALISM_FILE), classifier, fingerprint(classifier.file).sha256) : {};
  if (guard.problem) console.error(guard.problem);
  const critic = classifier && !values['no-guard']
    ? await criticFor(path.join(modelsDir, CRITIC_FILE), path.join(modelsDir, CRITIC_CALIBRATION_FILE), generator.provider) : {};
  if (critic.problem) console.error(critic.problem);
  const scorer = classifier ? new LatentScorer(generator, classifier, axes?.probes(), guard.realism, critic.guard) : undefined;
  // the faces of a chunk are steered together: their G+F passes run as one batch
  const read = scorer ? batchReads((zs, options) => scorer.read(zs, options)) : undefined;
  const latentOf = async (s: number): Promise<Float32Array> => {
    if (!axes) return keepInRange(truncate(seedToLatent(s, generator.zDim), truncation));
    if (!scorer) return faceLatent({ seed: s, edits, truncation }, axes);
    // the description starts the face (searched), the refinements keep it: as in the chat
    const first = values['no-search'] ? edits.slice(0, 1) : await searchedEdits({ seed: s, edits: edits.slice(0, 1), truncation }, axes, scorer, read, set);
    return (await faceLatentFor({ seed: s, edits: [...first, ...edits.slice(1)], truncation }, axes, scorer, read)).z;
  };
  const seeds = Array.from({ length: count }, (_, i) => seed + i);
  // the same "<generator>/<axes>" fingerprints the engine records, for each PNG's label
  const model = `${generator.fingerprint}/${axes ? fingerprint(path.join(modelsDir, AXES_FILE)).sha256 : 'none'}${steering.print ? `/s:${steering.print}` : ''}${(critic.print ?? guard.print) ? `/r:${critic.print ?? guard.print}` : ''}${scorer ? `/e:${STEERING_REVISION}` : ''}`;
  const outDir = path.resolve(values['out-dir'] ?? '.');
  fs.mkdirSync(values.out ? path.dirname(path.resolve(values.out)) : outDir, { recursive: true });

  const batchSize = 64;
  for (let i = 0; i < seeds.length; i += batchSize) {
    const chunk = seeds.slice(i, i + batchSize);
    const latents = await Promise.all(chunk.map(latentOf));
    const batch = await generator.generate(latents);
    await Promise.all(
      chunk.map(async (s, j) => {
        const file = values.out ? path.resolve(values.out) : path.join(outDir, `${s}.png`);
        const label = { software: SOFTWARE, seed: s, truncation, edits: edits.map((e) => e.text), caption: captionForEdits(edits), model };
        fs.writeFileSync(file, labelPng(await encodePng(batch, j, size), label));
        console.log(file);
      }),
    );
  }
  await generator.close();
  await classifier?.close();
  await critic.guard?.critic.close();
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
