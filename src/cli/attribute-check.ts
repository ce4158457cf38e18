/**
 * Does asking for an added attribute in words move its probe the right way? (`npm run attribute -- check NAME`)
 *
 * For each seed, the words go through the grammar as a chat line would ("freckles", then "no freckles") and
 * the face is steered by the engine's own code (faceLatentFor: the closed loop, with F and the probes); the
 * probe's probability on the drawn face is compared with the unedited seed's. The open-loop (linear) move is
 * measured too, and how far the edit moved F's Male and age readings (held by default).
 */
import { ADDED_INFO, attributeIndex, type AttributeName } from '../face/attributes.js';
import { editFrom, faceLatentFor } from '../conversation/engine.js';
import { parseDescription } from '../grammar/index.js';
import type { AxisSet } from '../latent/axes.js';
import { faceLatent, keepInRange } from '../latent/edit.js';
import { seedToLatent } from '../latent/seed.js';
import { batchReads, readingLogit, type FaceReading } from '../latent/steer.js';
import { truncate } from '../latent/truncation.js';
import { sigmoid } from '../latent/vector.js';
import type { LatentScorer } from '../render/scorer.js';

export interface DirectionStats {
  /** The words asked. */
  text: string;
  /** Fraction of seeds where the probe's probability moved the asked way (closed loop, as users get it). */
  rate: number;
  /** Mean change of the probe's probability (closed loop), and the fraction past p = 0.5 the asked way. */
  meanDelta: number;
  reached: number;
  /** The same for the open-loop (linear) move. */
  openRate: number;
  openMeanDelta: number;
  /** Mean |change| of F's P(Male) and of the age head's years (closed loop). */
  maleDrift: number;
  ageDrift?: number;
}

export interface CheckResult {
  name: AttributeName;
  seeds: number;
  /** Mean probe probability of the unedited seeds. */
  baseMean: number;
  present: DirectionStats;
  absent: DirectionStats;
}

/** Measures `name` (an added attribute whose words this process knows) on `count` seeds from `first`. */
export async function checkAttribute(
  name: AttributeName, axes: AxisSet, scorer: LatentScorer, opts: { first: number; count: number; truncation: number; words?: string },
): Promise<CheckResult> {
  const info = ADDED_INFO.get(name);
  const phrase = opts.words ?? info?.say[0];
  if (!phrase) throw new Error(`${name} has no words in the words file: add it with npm run attribute -- add`);
  if (!axes.get(name)) throw new Error(`${name} has no axis in these models' axes.json`);
  const read = batchReads((zs) => scorer.read(zs));
  const seeds = Array.from({ length: opts.count }, (_, i) => opts.first + i);
  const p = (r: FaceReading) => sigmoid(readingLogit(r, name) ?? Number.NaN);
  const male = (r: FaceReading) => sigmoid(r.logits[attributeIndex('Male')]!);
  const base = await scorer.read(seeds.map((s) => keepInRange(truncate(seedToLatent(s, axes.zDim), opts.truncation))));

  const measure = async (text: string, sign: 1 | -1): Promise<DirectionStats> => {
    const parse = parseDescription(text);
    const w = parse.weights[name];
    if (w === undefined || Math.sign(w) !== sign) {
      throw new Error(`the grammar does not read "${text}" as ${sign > 0 ? 'more' : 'less'} ${name} (it read ${JSON.stringify(parse.weights)})`);
    }
    const edit = editFrom(text, parse);
    const faces = seeds.map((seed) => ({ seed, edits: [edit], truncation: opts.truncation }));
    const closed = await Promise.all(faces.map(async (f) => (await faceLatentFor(f, axes, scorer, read)).z));
    const open = faces.map((f) => faceLatent(f, axes));
    const rc = await scorer.read(closed);
    const ro = await scorer.read(open);
    const d = rc.map((r, i) => p(r) - p(base[i]!));
    const od = ro.map((r, i) => p(r) - p(base[i]!));
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const ages = rc.every((r, i) => r.age !== undefined && base[i]!.age !== undefined)
      ? rc.map((r, i) => Math.abs(r.age! - base[i]!.age!)) : undefined;
    return {
      text,
      rate: d.filter((v) => sign * v > 0).length / d.length,
      meanDelta: mean(d),
      reached: rc.filter((r) => (sign > 0 ? p(r) > 0.5 : p(r) < 0.5)).length / rc.length,
      openRate: od.filter((v) => sign * v > 0).length / od.length,
      openMeanDelta: mean(od),
      maleDrift: mean(rc.map((r, i) => Math.abs(male(r) - male(base[i]!)))),
      ...(ages ? { ageDrift: mean(ages) } : {}),
    };
  };
  const present = await measure(phrase, 1);
  const absent = await measure(`no ${phrase}`, -1);
  return { name, seeds: seeds.length, baseMean: base.reduce((s, r) => s + p(r), 0) / base.length, present, absent };
}
