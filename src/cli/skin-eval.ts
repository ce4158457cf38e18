/**
 * The measurements of docs/skin-tone.md (issue 26): does asking for a skin tone or an appearance in words draw
 * it, on the same seed, through the engine's closed loop (faceLatentFor: the loop reads F and the probes)?
 *
 * - "a dark-skinned woman" against "a woman": the skin tone ITA (src/latent/skin-tone.ts) measured on the drawn
 *   pixels of both: the share of seeds where the asked face is darker, and the median difference in degrees.
 * - "a black man" against "a man" (and "an east asian woman", "a south asian man"): the matching probe's P
 *   on both: the share of seeds where it rose, and where it rose with the gender held (F's P(Male) on the asked
 *   side of 0.5) and the age held (the age head within AGE_HELD years of the plain face); "a white woman" too
 *   (G's faces mostly read White already: it shows what the word does to a face that needs no change).
 */
import { attributeIndex, isAttributeName, type AttributeName } from '../face/attributes.js';
import { editFrom, faceLatentFor, searchedEdits } from '../conversation/engine.js';
import { parseDescription } from '../grammar/index.js';
import type { AxisSet } from '../latent/axes.js';
import { itaOfBatch } from '../latent/skin-tone.js';
import { batchReads, readingLogit, type FaceReading } from '../latent/steer.js';
import { sigmoid } from '../latent/vector.js';
import type { AppearanceCheck } from '../render/appearance-check.js';
import type { Generator } from '../render/generator.js';
import type { FaceScorer } from '../render/types.js';

/** "Age held": the asked face's age-head reading within this many years of the plain face's. */
export const AGE_HELD = 8;

/**
 * A probe reading past this P on the plain face is saturated: the probe (learned on UTKFace photos) reads many of
 * G's plain faces far beyond any photo (the South_Asian probe reads 84 of 200 "a man" at logit 3–20), where the
 * asked face's own reading is no longer a measure of whether it moved. PairResult.unsaturated is the share over
 * the other seeds, so the probe's own criterion can be read where the probe can still rise.
 */
export const SATURATED_P = 0.95;

export interface Pair {
  plain: string;
  asked: string;
  /** The probe that should rise, or 'ita' for the skin tone measure (which should fall: darker). */
  measure: AttributeName | 'ita';
}

export const PAIRS: readonly Pair[] = [
  { plain: 'a woman', asked: 'a dark-skinned woman', measure: 'ita' },
  { plain: 'a man', asked: 'a black man', measure: 'Black' as AttributeName },
  { plain: 'a woman', asked: 'an east asian woman', measure: 'East_Asian' as AttributeName },
  { plain: 'a man', asked: 'a south asian man', measure: 'South_Asian' as AttributeName },
  { plain: 'a woman', asked: 'a white woman', measure: 'White' as AttributeName },
];

export interface Drawn {
  text: string;
  readings: FaceReading[];
  ita: number[];
  /** The drawn faces' latents (for a grid). */
  z: Float32Array[];
  /** The independent appearance check's P(class) of each face (src/render/appearance-check.ts), when loaded. */
  check?: Array<Record<string, number>>;
}

/** What the independent appearance check (a CNN on the pixels, not F) says of a probe pair. */
export interface CheckResult {
  /** Share of seeds where the check's P(the asked class) rose, and rose with the gender and age held. */
  moved: number;
  movedHeld: number;
  /** Share of faces whose most likely class (of the five) is the asked one: plain, asked. */
  plainTop: number;
  askedTop: number;
}

export interface PairResult {
  plain: string;
  asked: string;
  measure: string;
  seeds: number;
  /** ita: share darker; probe: share where P rose. */
  moved: number;
  /** The same, with the gender and the age held (see AGE_HELD). */
  movedHeld: number;
  /** ita: median (plain - asked) in degrees; probe: median rise of P. */
  median: number;
  /** Mean of the measure on the plain and on the asked faces. */
  plainMean: number;
  askedMean: number;
  /** Share of the asked faces with P > 0.5 (probe), or in the brown and dark bands, ITA <= 10 (ita). */
  reached: number;
  plainReached: number;
  /** Share of seeds where F's P(Male) is on the asked side of 0.5 on the asked face; mean |Δ age| in years. */
  genderHeld: number;
  ageDrift?: number;
  /**
   * Share of the plain and of the asked faces F reads as smiling (P > 0.5): the words never ask for an expression,
   * so the two should be alike (the East_Asian and White probes' pull had made 98% of the asked faces unsmiling).
   */
  smiling: { plain: number; asked: number };
  /** Probe pairs: share of seeds where the asked face's cheeks are darker (ITA on the pixels) than the plain face's. */
  darker?: number;
  /** Probe pairs, when the appearance check was loaded: its independent reading. */
  check?: CheckResult;
  /** Probe pairs: `moved` and `movedHeld` over the seeds whose plain face the probe reads at P <= SATURATED_P. */
  unsaturated?: { seeds: number; moved: number; movedHeld: number };
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

/**
 * Draws `text` on each seed as a new face with those words (the loop steers, as the chat does). With `asUsers`,
 * each face starts where the engine starts a user's new face (the seed search's pick of set 0, src/latent/
 * seed-search.ts, and with the scorer's realism guard), so a plain and an asked face of one seed no longer share
 * their start: what users see, not a like-for-like measure.
 */
export async function draw(
  text: string, seeds: readonly number[], axes: AxisSet, scorer: FaceScorer & Required<Pick<FaceScorer, 'read'>>, generator: Generator, truncation: number,
  checker?: AppearanceCheck, asUsers = false,
): Promise<Drawn> {
  const parse = parseDescription(text);
  if (parse.unknown.length > 0) throw new Error(`"${text}": the grammar did not understand ${parse.unknown.join(', ')}`);
  const edit = editFrom(text, parse);
  const read = batchReads((zs, options) => scorer.read(zs, options));
  const z = await Promise.all(seeds.map(async (seed) => {
    const face = { seed, edits: [edit], truncation };
    const edits = asUsers ? await searchedEdits(face, axes, scorer, read) : face.edits;
    return (await faceLatentFor({ ...face, edits }, axes, scorer, read)).z;
  }));
  const readings = await scorer.read(z);
  const ita: number[] = [];
  const check: Array<Record<string, number>> = [];
  for (let i = 0; i < z.length; i += 64) {
    const batch = await generator.generate(z.slice(i, i + 64));
    ita.push(...itaOfBatch(batch));
    if (checker) check.push(...(await checker.probabilities(batch)));
  }
  return { text, readings, ita, z, ...(checker ? { check } : {}) };
}

/** Compares the asked faces with the plain ones, seed by seed. */
export function comparePair(pair: Pair, plain: Drawn, asked: Drawn): PairResult {
  const n = plain.ita.length;
  const wantMale = (parseDescription(pair.asked).weights.Male ?? 0) > 0;
  const male = (r: FaceReading) => sigmoid(r.logits[attributeIndex('Male')]!);
  const genderOk = asked.readings.map((r) => (male(r) > 0.5) === wantMale);
  const ageDiffs = asked.readings.map((r, i) => (r.age !== undefined && plain.readings[i]!.age !== undefined ? Math.abs(r.age - plain.readings[i]!.age!) : 0));
  const held = genderOk.map((g, i) => g && ageDiffs[i]! <= AGE_HELD);
  let values: [number[], number[]];
  let moved: boolean[];
  let reached: (v: number) => boolean;
  if (pair.measure === 'ita') {
    values = [plain.ita, asked.ita];
    moved = values[1].map((v, i) => v < values[0][i]!);
    reached = (v) => v <= 10;
  } else {
    const name = pair.measure;
    if (!isAttributeName(name)) throw new Error(`${name} is not loaded here: add it (docs/skin-tone.md)`);
    const p = (r: FaceReading) => sigmoid(readingLogit(r, name) ?? Number.NaN);
    values = [plain.readings.map(p), asked.readings.map(p)];
    moved = values[1].map((v, i) => v > values[0][i]!);
    reached = (v) => v > 0.5;
  }
  const diffs = values[1].map((v, i) => (pair.measure === 'ita' ? values[0][i]! - v : v - values[0][i]!));
  const open = pair.measure === 'ita' ? [] : values[0].map((_, i) => i).filter((i) => values[0][i]! <= SATURATED_P);
  const over = (f: (i: number) => boolean) => open.filter(f).length / open.length;
  const withAge = asked.readings.every((r) => r.age !== undefined);
  const check = pair.measure !== 'ita' && plain.check && asked.check ? checkOf(pair.measure, plain, asked, held) : undefined;
  return {
    plain: pair.plain, asked: pair.asked, measure: pair.measure, seeds: n,
    moved: moved.filter(Boolean).length / n,
    movedHeld: moved.filter((m, i) => m && held[i]).length / n,
    median: median(diffs),
    plainMean: mean(values[0]), askedMean: mean(values[1]),
    reached: values[1].filter(reached).length / n,
    plainReached: values[0].filter(reached).length / n,
    genderHeld: genderOk.filter(Boolean).length / n,
    smiling: { plain: smilingShare(plain), asked: smilingShare(asked) },
    ...(withAge ? { ageDrift: mean(ageDiffs) } : {}),
    ...(pair.measure !== 'ita' ? { darker: plain.ita.filter((v, i) => asked.ita[i]! < v).length / n } : {}),
    ...(check ? { check } : {}),
    ...(pair.measure !== 'ita' && open.length > 0 ? { unsaturated: { seeds: open.length, moved: over((i) => moved[i]!), movedHeld: over((i) => moved[i]! && held[i]!) } } : {}),
  };
}

/** Share of a drawn set's faces F reads as smiling (P > 0.5). */
function smilingShare(d: Drawn): number {
  const i = attributeIndex('Smiling');
  return d.readings.filter((r) => r.logits[i]! > 0).length / d.readings.length;
}

function checkOf(name: string, plain: Drawn, asked: Drawn, held: readonly boolean[]): CheckResult {
  const n = plain.ita.length;
  const p = (d: Drawn, i: number) => d.check![i]![name] ?? Number.NaN;
  const top = (d: Drawn, i: number) => Object.entries(d.check![i]!).reduce((b, e) => (e[1] > b[1] ? e : b))[0] === name;
  const rose = Array.from({ length: n }, (_, i) => p(asked, i) > p(plain, i));
  const share = (f: (i: number) => boolean) => Array.from({ length: n }, (_, i) => f(i)).filter(Boolean).length / n;
  return {
    moved: share((i) => rose[i]!),
    movedHeld: share((i) => rose[i]! && held[i]!),
    plainTop: share((i) => top(plain, i)),
    askedTop: share((i) => top(asked, i)),
  };
}
