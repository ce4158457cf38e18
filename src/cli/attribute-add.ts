/**
 * Your own attribute: learn one from two folders of photos, without retraining G (`npm run attribute -- add`).
 *
 * 1. The photos (each folder at least MIN_IMAGES readable ones) are framed like the training data
 *    (attribute-images.ts) and read by F; F's `features` output (the layer its 40-logit head reads) of each
 *    photo and of its mirror image are the data.
 * 2. A linear probe on those features separates the folders: L2 logistic regression with the folders weighted
 *    equally (src/latent/probe.ts), its held-out accuracy measured by cross-validation over photos.
 * 3. Its axis in z is found the way `npm run axes` finds the 40 (src/latent/discover.ts): sample latents,
 *    G(z) -> F's features -> the probe's logit, ridge regression on z, then the scale calibrated so that +1
 *    makes it present and -1 absent on most seeds, and the success measured through the closed loop.
 * 4. The probe and the axis go into axes.json (`added`), the words into prompts/added.json, both atomically,
 *    and only when every step succeeded: bad input gets a clear answer and changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ADDED_NAME, AddedFileSchema, ATTRIBUTES, readAddedFile, type AddedAttributeInfo, type AttributeName,
} from '../face/attributes.js';
import { parseDescription } from '../grammar/index.js';
import { tokenize } from '../grammar/tokenize.js';
import { AxisSet, AxesFileError, type AddedAttributeModel, type ProbeRecord } from '../latent/axes.js';
import { discoverAddedAxes } from '../latent/discover.js';
import { trainProbe, type Probe, type ProbeQuality } from '../latent/probe.js';
import { Classifier } from '../render/classifier.js';
import { fingerprint } from '../render/fingerprint.js';
import { Generator } from '../render/generator.js';
import { AXES_FILE, CLASSIFIER_FILE, GENERATOR_FILE } from '../render/models.js';
import type { ProviderChoice } from '../render/onnx.js';
import { LatentScorer } from '../render/scorer.js';
import { stockCascade, stockFaceCheck, CASCADE_FILE } from '../photo/haar.js';
import { mirrored, photoFiles, readFolder, type CropName, type FolderImages } from './attribute-images.js';

/** Fewer photos than this in a folder is refused: the probe would learn the photos, not the attribute. */
export const MIN_IMAGES = 20;
/** A probe that tells the folders apart no better than this (held out) is refused. */
export const MIN_ACCURACY = 0.6;
/**
 * A folder where the face check finds no face in more than this fraction of the photos is refused (it misses
 * 1 in 14 real CelebA crops and 1 in 200 LFW crops; 43 in 100 UTKFace crops, which are framed tighter).
 */
export const MAX_NO_FACE = 0.2;
export const DEFAULT_LAMBDA = 10;

/** Bad input: the message says what is wrong and what to do; nothing was written. */
export class AttributeInputError extends Error {
  override name = 'AttributeInputError';
}

export interface AddOptions {
  name: string;
  positive: string;
  negative: string;
  /** Phrases that ask for it (default: the name in lower case, '_' as spaces). */
  words?: string[];
  /** Caption word (default: the first phrase). */
  label?: string;
  crop: CropName;
  modelsDir: string;
  /** The words file (prompts/added.json). */
  wordsFile: string;
  provider: ProviderChoice;
  /** Latents sampled for the axis (as `npm run axes`), the first seed, and the calibration seeds. */
  samples?: number;
  seed?: number;
  calibrationSeeds?: number;
  minImages?: number;
  lambda?: number;
  folds?: number;
  /** Leave out files that do not decode instead of refusing. */
  skipUnreadable?: boolean;
  /** Look for a face in every photo (OpenCV's stock Haar cascade, when opencv-data is installed); default true. */
  faceCheck?: boolean;
  /** Measure everything, write nothing. */
  dryRun?: boolean;
  log?: (line: string) => void;
}

export interface AddResult {
  name: AttributeName;
  words: string[];
  positives: number;
  negatives: number;
  /** Files left out: unreadable ones (with --skip-unreadable) and photos where no face was found. */
  skipped: Array<{ file: string; why: string }>;
  quality: ProbeQuality;
  axis: { r2: number; quality: number; scale: number; successRate: number; openLoopSuccessRate?: number; controllable: boolean };
  written: string[];
  seconds: number;
}

const normal = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, ' ').trim();

/** The default phrase for a name: "Rosy_Freckles" -> "rosy freckles". */
export function defaultWords(name: string): string[] {
  return [name.replace(/_/g, ' ').toLowerCase()];
}

/** Why `name` cannot be a new attribute (bad shape, one of the 40, or already added), or undefined. */
export function nameProblem(name: string, taken: readonly string[]): string | undefined {
  if (!ADDED_NAME.test(name)) {
    return `"${name}" is not a usable name: start with a letter, then letters, digits or _ (at most 40), e.g. Freckles or Rosy_Nose`;
  }
  const celeba = ATTRIBUTES.find((a) => a.toLowerCase() === name.toLowerCase());
  if (celeba) return `${name} is one of the 40 attributes F already reads (${celeba}): pick another name`;
  const added = taken.find((a) => a.toLowerCase() === name.toLowerCase());
  if (added) return `there is already an added attribute ${added}: remove it first (npm run attribute -- remove ${added}) or pick another name`;
  return undefined;
}

/** Why a phrase cannot ask for the new attribute (it already means something, or nothing), or undefined. */
export function phraseProblem(phrase: string, otherAdded: ReadonlyMap<string, AddedAttributeInfo>): string | undefined {
  const tokens = tokenize(phrase, 64).tokens;
  if (tokens.length === 0) return `"${phrase}" has no words`;
  if (tokens.some((t) => t.kind !== 'word')) return `"${phrase}": a phrase is made of words only (no numbers, emoji or punctuation)`;
  for (const [name, info] of otherAdded) {
    if (info.say.some((s) => normal(s) === normal(phrase))) return `"${phrase}" already asks for the added attribute ${name}`;
  }
  const read = parseDescription(phrase);
  const means = [
    ...Object.keys(read.weights),
    ...read.locks.map((l) => `keeping ${l}`),
    ...(read.age ? ['an age'] : []),
    ...(read.truncation !== undefined ? ['how typical the face is'] : []),
  ];
  if (means.length > 0) return `"${phrase}" already means ${[...new Set(means)].join(', ')} to the grammar: pick other words (--words)`;
  if (read.unknown.length === 0) return `"${phrase}" is made of grammar words only ("the", "with", ...): pick other words (--words)`;
  return undefined;
}

/** Writes several files so that either all change or none does (each through a temporary file and a rename). */
export function writeAllOrNothing(files: ReadonlyArray<{ file: string; text: string }>): void {
  const before = files.map((f) => (fs.existsSync(f.file) ? fs.readFileSync(f.file) : undefined));
  const temps = files.map((f) => `${f.file}.${process.pid}.tmp`);
  const done: number[] = [];
  try {
    files.forEach((f, i) => fs.writeFileSync(temps[i]!, f.text));
    files.forEach((f, i) => {
      fs.renameSync(temps[i]!, f.file);
      done.push(i);
    });
  } catch (err) {
    for (const i of done) {
      const old = before[i];
      if (old === undefined) fs.rmSync(files[i]!.file, { force: true });
      else fs.writeFileSync(files[i]!.file, old);
    }
    for (const t of temps) fs.rmSync(t, { force: true });
    throw err;
  }
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new AttributeInputError(`cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** The axes of a models folder, with a plain message when they are missing or broken. */
export function loadAxes(modelsDir: string): { axes: AxisSet; json: Record<string, unknown>; file: string } {
  const file = path.join(modelsDir, AXES_FILE);
  if (!fs.existsSync(file)) throw new AttributeInputError(`${file} does not exist: make it first with npm run axes`);
  try {
    return { axes: AxisSet.fromFile(file), json: readJson(file), file };
  } catch (err) {
    if (err instanceof AxesFileError) throw new AttributeInputError(err.message);
    throw err;
  }
}

function listFiles(files: ReadonlyArray<{ file: string; why: string }>): string {
  const shown = files.slice(0, 5).map((f) => `${f.file} (${f.why})`).join(', ');
  return files.length > 5 ? `${shown} and ${files.length - 5} more` : shown;
}

async function readSide(dir: string, side: string, crop: CropName, size: number, o: AddOptions): Promise<FolderImages> {
  const min = o.minImages ?? MIN_IMAGES;
  let names: string[];
  try {
    names = photoFiles(dir);
  } catch (err) {
    throw new AttributeInputError(`--${side}: ${(err as Error).message}`);
  }
  if (names.length < min) {
    throw new AttributeInputError(`--${side} ${dir} holds ${names.length} photo${names.length === 1 ? '' : 's'}; at least ${min} are needed (more is better: a few hundred)`);
  }
  const cascade = o.faceCheck === false ? null : stockCascade();
  const images = await readFolder(dir, crop, size, cascade ? stockFaceCheck(cascade) : undefined);
  if (images.unreadable.length > 0 && !o.skipUnreadable) {
    throw new AttributeInputError(
      `--${side} ${dir}: ${images.unreadable.length} of ${names.length} files are not readable photos: ${listFiles(images.unreadable)}. ` +
        'Remove them, or pass --skip-unreadable to leave them out',
    );
  }
  const readable = images.files.length + images.noFace.length;
  if (images.noFace.length > MAX_NO_FACE * readable) {
    throw new AttributeInputError(
      `--${side} ${dir}: no face found in ${images.noFace.length} of ${readable} photos (${listFiles(images.noFace.map((f) => ({ file: f, why: 'no face' })))}). ` +
        `Are they faces, framed like the training data${crop === 'none' ? ' (for CelebA or LFW frames pass --crop celeba or --crop lfw)' : ''}? ` +
        '--no-face-check uses them anyway',
    );
  }
  if (images.files.length < min) {
    throw new AttributeInputError(
      `--${side} ${dir}: only ${images.files.length} of its ${names.length} files are readable photos` +
        `${images.noFace.length ? ` with a face found` : ''}; at least ${min} are needed`,
    );
  }
  return images;
}

/** Learns the attribute and writes it (unless dryRun). Throws AttributeInputError for bad input; writes nothing then. */
export async function addAttribute(o: AddOptions): Promise<AddResult> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const { axes, json: axesJson, file: axesFile } = loadAxes(o.modelsDir);
  let wordsFile: ReturnType<typeof readAddedFile>;
  try {
    wordsFile = readAddedFile(o.wordsFile);
  } catch (err) {
    throw new AttributeInputError((err as Error).message);
  }
  const taken = [...axes.added().map((m) => m.probe.name), ...Object.keys(wordsFile.attributes)];
  const badName = nameProblem(o.name, taken);
  if (badName) throw new AttributeInputError(badName);
  const name = o.name as AttributeName;
  const words = [...new Set((o.words && o.words.length > 0 ? o.words : defaultWords(o.name)).map((w) => w.trim()).filter(Boolean))];
  const others = new Map(Object.entries(wordsFile.attributes));
  for (const w of words) {
    const problem = phraseProblem(w, others);
    if (problem) throw new AttributeInputError(problem);
  }
  if (path.resolve(o.positive) === path.resolve(o.negative)) {
    throw new AttributeInputError('--positive and --negative name the same folder: the negative folder holds faces without the attribute');
  }
  if (o.faceCheck !== false && !stockCascade()) {
    log(`face check skipped: OpenCV's face cascade is not at ${CASCADE_FILE} (apt-get install opencv-data); photos are not checked for faces`);
  }

  const generator = await Generator.load(path.join(o.modelsDir, GENERATOR_FILE), o.provider);
  const classifier = await Classifier.load(path.join(o.modelsDir, CLASSIFIER_FILE), generator.provider);
  try {
    if (!classifier.hasFeatures) {
      throw new AttributeInputError(
        `${classifier.file} has no \`features\` output for a probe to read: add it with /usr/bin/python3 training/onnx_features.py ${classifier.file}`,
      );
    }
    const size = classifier.inputSize ?? 64;
    const pos = await readSide(o.positive, 'positive', o.crop, size, o);
    const neg = await readSide(o.negative, 'negative', o.crop, size, o);
    log(`read ${pos.files.length} photos with ${o.name} and ${neg.files.length} without (${o.crop === 'none' ? 'as framed' : `${o.crop} crop`}, ${size} px)`);
    for (const img of [pos, neg]) {
      if (img.noFace.length) log(`left out ${img.noFace.length} photo(s) of ${img.dir} where no face was found: ${listFiles(img.noFace.map((f) => ({ file: f, why: 'no face' })))}`);
    }

    // F's features of each photo and of its mirror image (G draws faces both ways round)
    const featuresOf = async (img: FolderImages) => {
      const n = img.files.length;
      const a = await classifier.read({ data: img.pixels, count: n, size });
      const b = await classifier.read({ data: mirrored(img.pixels, n, size), count: n, size });
      return { a: a.features!, b: b.features!, n };
    };
    const fp = await featuresOf(pos);
    const fn = await featuresOf(neg);
    const dim = fp.a.length / fp.n;
    const rows = 2 * (fp.n + fn.n);
    const x = new Float32Array(rows * dim);
    const label = new Uint8Array(rows);
    const group = new Int32Array(rows);
    let r = 0;
    for (const [f, y, offset] of [[fp, 1, 0], [fn, 0, fp.n]] as const) {
      for (let i = 0; i < f.n; i++) {
        for (const src of [f.a, f.b]) {
          x.set(src.subarray(i * dim, (i + 1) * dim), r * dim);
          label[r] = y;
          group[r] = offset + i;
          r++;
        }
      }
    }
    const lambda = o.lambda ?? DEFAULT_LAMBDA;
    const { fit, quality } = trainProbe(x, label, group, rows, dim, { lambda, folds: o.folds ?? 5 });
    log(`probe on F's ${dim} features: held-out accuracy ${quality.accuracy.toFixed(3)}, AUC ${quality.auc.toFixed(3)} (${quality.folds}-fold, by photo)`);
    if (!(quality.accuracy >= MIN_ACCURACY)) {
      throw new AttributeInputError(
        `F's features cannot tell the two folders apart (held-out accuracy ${quality.accuracy.toFixed(2)}, needs ${MIN_ACCURACY}): ` +
          'the attribute may not show at 64 px, the folders may differ in something else, or need more photos. Nothing was written',
      );
    }

    const record: ProbeRecord = {
      weights: Array.from(fit.weights, (v) => round(v, 7)),
      bias: round(fit.bias, 6),
      classifier: fingerprint(classifier.file).sha256,
      lambda,
      positives: pos.files.length,
      negatives: neg.files.length,
      heldOutAccuracy: round(quality.accuracy, 4),
      heldOutAuc: round(quality.auc, 4),
      folds: quality.folds,
      positive: path.resolve(o.positive),
      negative: path.resolve(o.negative),
      crop: o.crop,
      createdAt: new Date().toISOString(),
    };
    const probe: Probe = { name, weights: Float32Array.from(record.weights), bias: record.bias };
    const model: AddedAttributeModel = { probe, record };

    // its axis, found like the 40's: the same latents `npm run axes` samples, unless told otherwise
    const onlyNew = new LatentScorer(generator, classifier, [probe]);
    const everyProbe = new LatentScorer(generator, classifier, [...axes.probes(), probe]);
    const header = axesJson as { samples?: unknown; seed?: unknown };
    const samples = o.samples ?? (typeof header.samples === 'number' ? header.samples : 6000);
    const seed = o.seed ?? (typeof header.seed === 'number' ? header.seed : 1_000_000);
    log(`finding its axis in z: ${samples} latents from seed ${seed}`);
    let lastPrint = 0;
    const { axes: found, entries } = await discoverAddedAxes(async (zs) => (await onlyNew.readMany(zs)).added!, [model], axes, {
      zDim: generator.zDim,
      samples,
      seed,
      calibrationSeeds: o.calibrationSeeds ?? 48,
      read: (zs) => everyProbe.read(zs),
      onProgress: (stage, done, total) => {
        const now = performance.now();
        if (now - lastPrint > 5000 || done === total) {
          log(`  ${stage}: ${done}/${total}`);
          lastPrint = now;
        }
      },
    });
    const axis = found[0]!;
    const entry = entries[name]!;

    const nextAxes = { ...axesJson, added: { ...((axesJson.added as Record<string, unknown> | undefined) ?? {}), [name]: entry } };
    AxisSet.fromJSON(nextAxes, axesFile); // what is written must load
    const info: AddedAttributeInfo = {
      label: o.label ?? words[0]!,
      target: [`no ${o.label ?? words[0]!}`, o.label ?? words[0]!],
      say: words,
      examples: words.slice(0, 6),
      source: { positive: record.positive, negative: record.negative, crop: o.crop },
    };
    const wordsJson = fs.existsSync(o.wordsFile) ? readJson(o.wordsFile) : { _doc: ADDED_DOC };
    const nextWords = { ...wordsJson, attributes: { ...((wordsJson.attributes as Record<string, unknown> | undefined) ?? {}), [name]: info } };
    const check = AddedFileSchema.safeParse(nextWords);
    if (!check.success) throw new AttributeInputError(`the words would not make a valid ${o.wordsFile}: ${check.error.issues[0]?.message}`);

    const written: string[] = [];
    if (!o.dryRun) {
      writeAllOrNothing([
        { file: axesFile, text: JSON.stringify(nextAxes) + '\n' },
        { file: o.wordsFile, text: JSON.stringify(nextWords, null, 1) + '\n' },
      ]);
      written.push(axesFile, o.wordsFile);
    }
    return {
      name, words, positives: pos.files.length, negatives: neg.files.length,
      skipped: [pos, neg].flatMap((img) => [
        ...img.unreadable.map((u) => ({ ...u, file: path.join(img.dir, u.file) })),
        ...img.noFace.map((f) => ({ file: path.join(img.dir, f), why: 'no face found' })),
      ]),
      quality,
      axis: {
        r2: axis.r2, quality: axis.quality, scale: axis.scale, successRate: axis.successRate, controllable: axis.controllable,
        ...(entry.openLoopSuccessRate !== undefined ? { openLoopSuccessRate: entry.openLoopSuccessRate } : {}),
      },
      written,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await Promise.all([generator.close(), classifier.close()]);
  }
}

/** Removes an added attribute from axes.json and the words file, both or neither. */
export function removeAttribute(name: string, modelsDir: string, wordsFile: string): string[] {
  const { json: axesJson, file: axesFile } = loadAxes(modelsDir);
  const added = { ...((axesJson.added as Record<string, unknown> | undefined) ?? {}) };
  const wordsJson = fs.existsSync(wordsFile) ? readJson(wordsFile) : undefined;
  const wordAttrs = { ...((wordsJson?.attributes as Record<string, unknown> | undefined) ?? {}) };
  const inAxes = name in added;
  const inWords = name in wordAttrs;
  if (!inAxes && !inWords) {
    const known = [...new Set([...Object.keys(added), ...Object.keys(wordAttrs)])];
    throw new AttributeInputError(`there is no added attribute ${name}${known.length ? ` (added: ${known.join(', ')})` : ' (none has been added)'}`);
  }
  delete added[name];
  delete wordAttrs[name];
  const { added: _drop, ...rest } = axesJson;
  void _drop;
  const files = [{ file: axesFile, text: JSON.stringify(Object.keys(added).length ? { ...rest, added } : rest) + '\n' }];
  if (wordsJson) files.push({ file: wordsFile, text: JSON.stringify({ ...wordsJson, attributes: wordAttrs }, null, 1) + '\n' });
  writeAllOrNothing(files);
  return files.map((f) => f.file);
}

export const ADDED_DOC =
  "Attributes added with `npm run attribute -- add NAME --positive DIR --negative DIR` (docs/your-own-attribute.md). " +
  'Each one: label (the caption word), target (caption words [absent, present]), say (the phrases that ask for it: each is a plain ' +
  "mention, so 'more X', 'no X', 'a bit X' work as for any feature), examples (for the axes help) and source (the folders it was " +
  "learned from). Its probe on F's features and its axis in z are in models/axes.json under `added`. Edit the phrases by hand if " +
  'you like; `npm run attribute -- remove NAME` takes one out of both files.';

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
