/**
 * npx tsx bench/vary.ts [--seeds 50] [--neighbours 4] [--text "a smiling woman with glasses"] [--models-dir DIR] [--sheet FILE]
 *
 * How close "vary" stays (src/conversation/grid.ts VARY_STEP, src/latent/jitter.ts): for each seed, the face
 * with the edits (steered by F, as the engine draws it), its neighbours at several step sizes s
 * (z' = (z + s·n)/√(1+s²), the same n for every s, so the sizes are compared on the same directions) and
 * rerolls (another seed, the same edits: what Vary is meant to stay closer than). Each neighbour is compared
 * with its own original, at 64 px (G's output, before any upscaling):
 * - pixels: mean |Δ| over pixels and channels, on a 0–1 scale;
 * - F features: 1 − cos between F's penultimate features (256 numbers after the global pool: F's `features`
 *   output, or for an F exported without it, that tensor exposed as an extra output here, in memory);
 * - attributes: mean |Δp| over F's 40 attribute probabilities, and |Δ age| in years (F's age head);
 * - z: cos between the two steered latents (what the face is drawn from);
 * and whether the edits are kept: F still reads each goal of the words on the side asked (p > 0.5 for
 * "smiling", p < 0.5 for "woman", ...), and whether the closed loop met every goal (no shortfall).
 * Prints a table; --sheet FILE saves originals and their neighbours (a row per seed) to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { editFrom } from '../src/conversation/engine.js';
import { VARY_STEP } from '../src/conversation/grid.js';
import { attributeIndex, type AttributeName } from '../src/face/attributes.js';
import type { Edit, Jitter } from '../src/face/record.js';
import { parseDescription } from '../src/grammar/index.js';
import { batchReads, steerFace, type SteerResult } from '../src/latent/steer.js';
import { cosineDistance, sigmoid } from '../src/latent/vector.js';
import { AGE_OUTPUT, CLASSIFIER_INPUT, CLASSIFIER_OUTPUT } from '../src/render/classifier.js';
import { CLASSIFIER_FILE, loadFaceModels } from '../src/render/models.js';
import { percentile } from './stats.js';

/** The step sizes measured (VARY_STEP among them). */
export const VARY_STEPS = [0.2, 0.35, 0.5, 0.75];
/** F's penultimate features in a classifier exported without a `features` output (training/models_classifier.py: AttributeNet.embed). */
const FEATURES_OUTPUT = '/f/features/features.9/Flatten_output_0';
const BASE_SEED = 700_000;
const JITTER_SEED = 900_000;
const REROLL_SEED = 800_000;

// --- a graph output added to an ONNX file in memory: protobuf, just enough of it -------------------------

function readVarint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = bytes[at++]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 128) return [value, at];
  }
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A length-delimited protobuf field. */
function field(number: number, payload: ArrayLike<number>): Buffer {
  return Buffer.concat([Buffer.from([...varint((number << 3) | 2), ...varint(payload.length)]), Buffer.from(Array.from(payload))]);
}

/**
 * The model with one more graph output: `name`, a float tensor (ModelProto.graph = 7, GraphProto.output = 12,
 * ValueInfoProto {name = 1, type = 2 {tensor_type = 1 {elem_type = 1: FLOAT}}}).
 */
export function withGraphOutput(model: Uint8Array, name: string): Buffer {
  let at = 0;
  while (at < model.length) {
    const start = at;
    let tag: number;
    [tag, at] = readVarint(model, at);
    const wire = tag & 7;
    if (wire === 0) [, at] = readVarint(model, at);
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      let length: number;
      [length, at] = readVarint(model, at);
      if (tag >>> 3 === 7) {
        const output = field(12, Buffer.concat([field(1, Buffer.from(name, 'utf8')), field(2, field(1, [0x08, 0x01]))]));
        const graph = Buffer.concat([model.subarray(at, at + length), output]);
        return Buffer.concat([model.subarray(0, start), field(7, graph), model.subarray(at + length)]);
      }
      at += length;
    } else throw new Error(`not an ONNX model (protobuf wire type ${wire})`);
  }
  throw new Error('not an ONNX model (no graph)');
}

// --- the measurement ------------------------------------------------------------------------------------

interface Look {
  /** 64 px image, CHW, [-1, 1]. */
  image: Float32Array;
  features: Float32Array;
  probs: Float32Array;
  age?: number;
  z: Float32Array;
  steer: SteerResult;
}

interface Goal {
  name: AttributeName;
  index: number;
  /** true: F should read it (p > 0.5); false: should not. */
  present: boolean;
}

/** Cosine similarity (0 when either is zero), from the one cosine distance the engine uses. */
const cosine = (a: ArrayLike<number>, b: ArrayLike<number>): number => 1 - cosineDistance(a, b);

function meanAbs(a: ArrayLike<number>, b: ArrayLike<number>, scale = 1): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return (s / a.length) * scale;
}

function keeps(look: Look, goals: readonly Goal[]): boolean[] {
  return goals.map((g) => (look.probs[g.index]! > 0.5) === g.present);
}

interface Row {
  label: string;
  pixels: number[];
  features: number[];
  probs: number[];
  ages: number[];
  zcos: number[];
  /** Per goal: neighbours that F reads on the asked side. */
  kept: number[];
  all: number;
  /** Neighbours keeping all goals, of those whose original keeps all. */
  allGivenOriginal: [number, number];
  met: number;
  n: number;
}

function newRow(label: string, goals: number): Row {
  return { label, pixels: [], features: [], probs: [], ages: [], zcos: [], kept: Array(goals).fill(0), all: 0, allGivenOriginal: [0, 0], met: 0, n: 0 };
}

function add(row: Row, original: Look, other: Look, goals: readonly Goal[]): void {
  row.pixels.push(meanAbs(original.image, other.image, 0.5));
  row.features.push(1 - cosine(original.features, other.features));
  row.probs.push(meanAbs(original.probs, other.probs));
  if (original.age !== undefined && other.age !== undefined) row.ages.push(Math.abs(original.age - other.age));
  row.zcos.push(cosine(original.z, other.z));
  const k = keeps(other, goals);
  k.forEach((ok, i) => (row.kept[i]! += ok ? 1 : 0));
  const all = k.every(Boolean);
  row.all += all ? 1 : 0;
  if (keeps(original, goals).every(Boolean)) {
    row.allGivenOriginal[1] += 1;
    row.allGivenOriginal[0] += all ? 1 : 0;
  }
  row.met += other.steer.shortfalls.length === 0 ? 1 : 0;
  row.n += 1;
}

export interface VaryOptions {
  seeds?: number;
  neighbours?: number;
  text?: string;
  sheet?: string;
}

export async function benchVary(modelsDir: string, options: VaryOptions = {}): Promise<void> {
  const seeds = options.seeds ?? 50;
  const neighbours = options.neighbours ?? 4;
  const text = options.text ?? 'a smiling woman with glasses';
  const parse = parseDescription(text);
  const edits: Edit[] = [editFrom(text, parse)];
  const goals: Goal[] = Object.entries(parse.weights)
    .filter(([name, w]) => parse.mode[name as AttributeName] !== 'step' && w !== 0)
    .map(([name, w]) => ({ name: name as AttributeName, index: attributeIndex(name as AttributeName), present: w > 0 }))
    .filter((g) => g.index >= 0 && g.index < 40);
  if (goals.length === 0) throw new Error(`"${text}" sets no attribute F reads: nothing to check`);

  const dir = path.resolve(modelsDir);
  const models = await loadFaceModels({ modelsDir: dir, provider: 'cpu', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000 });
  // F's features: its own `features` output (training/onnx_features.py) when it has one, else the same tensor exposed here
  const bytes = fs.readFileSync(path.join(dir, CLASSIFIER_FILE));
  let f = await ort.InferenceSession.create(bytes);
  let featuresOutput = 'features';
  if (!f.outputNames.includes(featuresOutput)) {
    await f.release();
    f = await ort.InferenceSession.create(withGraphOutput(bytes, FEATURES_OUTPUT));
    featuresOutput = FEATURES_OUTPUT;
  }
  const read = batchReads((zs) => models.scorer.read(zs));

  /** Steer each face as the engine does (closed loop), then G and F (with features) on the results. */
  async function look(faces: Array<{ seed: number; jitter?: Jitter[] }>): Promise<Look[]> {
    const steered = await Promise.all(faces.map((face) => steerFace({ ...face, edits, truncation: 1 }, models.axes, read)));
    const batch = await models.generator.generate(steered.map((s) => s.z));
    const out = await f.run({ [CLASSIFIER_INPUT]: new ort.Tensor('float32', batch.data, [batch.count, 3, batch.size, batch.size]) });
    const logits = out[CLASSIFIER_OUTPUT]!.data as Float32Array;
    const features = out[featuresOutput]!.data as Float32Array;
    const ages = out[AGE_OUTPUT]?.data as Float32Array | undefined;
    const px = 3 * batch.size * batch.size;
    const width = features.length / batch.count;
    return steered.map((steer, i) => ({
      image: batch.data.slice(i * px, (i + 1) * px),
      features: features.slice(i * width, (i + 1) * width),
      probs: logits.slice(i * 40, (i + 1) * 40).map(sigmoid),
      ...(ages ? { age: ages[i]! } : {}),
      z: steer.z,
      steer,
    }));
  }

  const rows = [...VARY_STEPS.map((s) => newRow(`vary s=${s}${s === VARY_STEP ? ' (now)' : ''}`, goals.length)), newRow('reroll', goals.length)];
  const originalKept = Array(goals.length).fill(0);
  let originalAll = 0;
  let originalMet = 0;
  const sheetRows: Float32Array[][] = [];
  const t0 = performance.now();
  for (let i = 0; i < seeds; i++) {
    const seed = BASE_SEED + i;
    const faces = [
      { seed },
      ...VARY_STEPS.flatMap((scale) => Array.from({ length: neighbours }, (_, k) => ({ seed, jitter: [{ seed: JITTER_SEED + 100 * i + k, scale }] }))),
      ...Array.from({ length: neighbours }, (_, k) => ({ seed: REROLL_SEED + 100 * i + k })),
    ];
    const looks = await look(faces);
    const original = looks[0]!;
    keeps(original, goals).forEach((ok, g) => (originalKept[g] += ok ? 1 : 0));
    originalAll += keeps(original, goals).every(Boolean) ? 1 : 0;
    originalMet += original.steer.shortfalls.length === 0 ? 1 : 0;
    rows.forEach((row, r) => {
      for (let k = 0; k < neighbours; k++) add(row, original, looks[1 + r * neighbours + k]!, goals);
    });
    // the sheet: original, then the first neighbour at each step, then the first reroll
    if (options.sheet && i < 12) sheetRows.push([original, ...rows.map((_, r) => looks[1 + r * neighbours]!)].map((l) => l.image));
  }
  const seconds = (performance.now() - t0) / 1000;

  const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(0)}%`.padStart(5);
  const med = (xs: number[], digits: number) => (xs.length ? percentile(xs, 50).toFixed(digits) : '–');
  const mean = (xs: number[], digits: number) => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(digits) : '–');
  const reroll = rows.at(-1)!;
  const ratio = (xs: number[], ys: number[]) => `${((100 * percentile(xs, 50)) / percentile(ys, 50)).toFixed(0)}%`;
  console.log(`vary: "${text}", ${seeds} seeds × ${neighbours} neighbours per row, closed loop as the engine draws faces (${seconds.toFixed(0)} s)`);
  console.log(`distances to the face's own original at 64 px; medians (mean for kept rates); "% of reroll": median over reroll's median`);
  const goalNames = goals.map((g) => `${g.present ? '' : 'not '}${g.name}`);
  console.log(
    ['face'.padEnd(18), 'pixels |Δ|', 'F feat 1−cos', 'F 40 |Δp|', '|Δ age| y', 'z cos', 'pix/feat % of reroll', ...goalNames.map((n) => `${n} kept`), 'all kept', 'all kept where orig all', 'loop met all'].join(' | '),
  );
  for (const row of rows) {
    console.log([
      row.label.padEnd(18),
      med(row.pixels, 3), med(row.features, 3), med(row.probs, 3), med(row.ages, 1), mean(row.zcos, 2),
      `${ratio(row.pixels, reroll.pixels)} / ${ratio(row.features, reroll.features)}`,
      ...row.kept.map((k) => pct(k, row.n)),
      pct(row.all, row.n),
      pct(row.allGivenOriginal[0], row.allGivenOriginal[1] || 1),
      pct(row.met, row.n),
    ].join(' | '));
  }
  console.log([
    'original'.padEnd(18), '', '', '', '', '', '', ...originalKept.map((k) => pct(k, seeds)), pct(originalAll, seeds), '', pct(originalMet, seeds),
  ].join(' | '));
  console.log(`  quartiles (p25–p75): ${rows.map((r) => `${r.label}: pixels ${percentile(r.pixels, 25).toFixed(3)}–${percentile(r.pixels, 75).toFixed(3)}, feat ${percentile(r.features, 25).toFixed(3)}–${percentile(r.features, 75).toFixed(3)}`).join('; ')}`);

  if (options.sheet) await saveSheet(options.sheet, sheetRows);
  await f.release();
  await models.close();
}

/** Rows of 64 px faces (CHW in [-1, 1]) as one PNG at 96 px a face. */
async function saveSheet(file: string, rows: Float32Array[][]): Promise<void> {
  const side = 64;
  const tile = 96;
  const gap = 4;
  const tiles = await Promise.all(rows.flat().map((chw) => {
    const rgb = Buffer.alloc(side * side * 3);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < side * side; p++) rgb[p * 3 + c] = Math.round(Math.min(1, Math.max(0, (chw[c * side * side + p]! + 1) / 2)) * 255);
    }
    return sharp(rgb, { raw: { width: side, height: side, channels: 3 } }).resize(tile, tile).png().toBuffer();
  }));
  const cols = rows[0]!.length;
  await sharp({ create: { width: cols * (tile + gap) - gap, height: rows.length * (tile + gap) - gap, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(tiles.map((input, i) => ({ input, left: (i % cols) * (tile + gap), top: Math.floor(i / cols) * (tile + gap) })))
    .png()
    .toFile(file);
  console.log(`  sheet: ${file} (a row per seed: original, vary at ${VARY_STEPS.join(', ')}, a reroll)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      'models-dir': { type: 'string', default: 'models' },
      seeds: { type: 'string', default: '50' },
      neighbours: { type: 'string', default: '4' },
      text: { type: 'string' },
      sheet: { type: 'string' },
    },
  });
  benchVary(values['models-dir']!, {
    seeds: Number(values.seeds), neighbours: Number(values.neighbours), ...(values.text ? { text: values.text } : {}), ...(values.sheet ? { sheet: values.sheet } : {}),
  }).catch((err: unknown) => {
    console.error(`bench vary: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
