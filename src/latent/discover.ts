import { ATTRIBUTES, type AttributeName } from '../face/attributes.js';
import {
  AxisSet, RELIABLE_RATE, type AddedAttributeModel, type AddedAxisRecord, type AgeAxis, type Axis, type AxesFile, type GenderDirection,
} from './axes.js';
import { applyEdit, keepInRange } from './edit.js';
import { batchReads, readingLogit, steerEdit, type ReadFaces } from './steer.js';
import type { LocalModel } from './surrogate.js';
import { auc, ridgeFit } from './ridge.js';
import { seedToLatent } from './seed.js';
import { dot, norm } from './vector.js';

/**
 * F(G(z)) for many latents: logits, row-major [n, columns]: the 40 in CelebA order, then the added
 * attributes' probe logits in the order of `added` (discoverAxes); the probes' alone (discoverAddedAxes).
 */
export type LogitFn = (latents: Float32Array[]) => Promise<Float32Array>;

export interface DiscoverOptions {
  zDim: number;
  samples: number;
  /** First seed of the sampled latents; calibration seeds follow them. */
  seed: number;
  /** Fraction of samples held out to measure fit quality. */
  heldOutFraction?: number;
  /** Ridge penalty λ. */
  lambda?: number;
  /** Seeds used to calibrate each axis's step scale. */
  calibrationSeeds?: number;
  /** Fraction of calibration seeds that +1 must switch on and -1 off for "clearly present/absent". */
  targetRate?: number;
  onProgress?: (stage: string, done: number, total: number) => void;
  /**
   * F's logits and age head (years) for many latents, when F has an age head: used for the sampling pass
   * instead of `logits`, and the age axis is fitted from the same renders.
   */
  withAges?: (latents: Float32Array[]) => Promise<{ logits: Float32Array; ages: Float32Array }>;
  /**
   * F's reading of rendered faces. When given, each axis's on/off success is re-measured through the closed
   * loop (steer.ts), as users get it, and `controllable` follows that; the open-loop rate is kept too. With
   * added attributes, it reads their probes too.
   */
  read?: ReadFaces;
  /** The surrogate the engine's loop steers by (models/surrogate.json), so that the calibration measures that loop. */
  surrogate?: LocalModel;
  /**
   * Added attributes (`npm run attribute -- add`) to discover with the 40: `logits` (and `withAges`) give
   * their probe logits after F's 40, in this order, and their axes go into the file with their probes.
   */
  added?: readonly AddedAttributeModel[];
}

export interface Discovery {
  file: AxesFile;
  axes: AxisSet;
}

/** Fraction of seeds where +1 made the attribute present (p > 0.5) and -1 absent, at a given scale. */
async function successAt(
  axis: Axis, others: AxisSet, seeds: Float32Array[], logits: LogitFn, col: number, width: number,
): Promise<{ up: number; down: number }> {
  const set = AxisSet.fromAxes(others.zDim, [...others.names().filter((n) => n !== axis.name).map((n) => others.require(n)), axis]);
  const edit = (w: number) => ({ text: '', weights: { [axis.name]: w }, mode: { [axis.name]: 'target' as const }, locks: [] });
  const edited = [...seeds.map((z) => applyEdit(z, edit(1), set, new Set())), ...seeds.map((z) => applyEdit(z, edit(-1), set, new Set()))];
  const out = await logits(edited);
  let up = 0;
  let down = 0;
  for (let i = 0; i < seeds.length; i++) {
    if (out[i * width + col]! > 0) up++;
    if (out[(i + seeds.length) * width + col]! < 0) down++;
  }
  return { up: up / seeds.length, down: down / seeds.length };
}

/**
 * TL-GAN axis discovery: sample latents, label G(z) with F, fit one ridge regression per attribute
 * from z to F's logit, take the unit direction as the feature axis, then calibrate each axis's scale
 * so that weight +1 makes the attribute clearly present for most seeds and -1 clearly absent.
 */
export async function discoverAxes(logits: LogitFn, opts: DiscoverOptions): Promise<Discovery> {
  const { zDim, samples } = opts;
  const heldOut = Math.max(1, Math.round(samples * (opts.heldOutFraction ?? 0.2)));
  const lambda = opts.lambda ?? 1;
  const progress = opts.onProgress ?? (() => {});
  const added = opts.added ?? [];
  const names: AttributeName[] = [...ATTRIBUTES, ...added.map((m) => m.probe.name)];

  const sampled = await sampleReadings(logits, names.length, opts, progress);
  const fitted = fitAxes(sampled, names, samples - heldOut, zDim, lambda);
  const nCal = opts.calibrationSeeds ?? 48;
  const calSeeds = Array.from({ length: nCal }, (_, i) => seedToLatent((opts.seed + samples + i) >>> 0, zDim));
  const fittedSet = AxisSet.fromAxes(zDim, fitted, undefined, added);
  let calibrated = await calibrateAxes(fittedSet, names, fittedSet, calSeeds, logits, opts.targetRate ?? 0.9, progress);
  const age = sampled.ages ? fitAgeAxis(sampled.ages, sampled.latents, samples - heldOut, zDim, lambda) : undefined;
  const openLoop = new Map(calibrated.map((a) => [a.name, a.successRate]));
  if (opts.read) {
    calibrated = await closedLoopSuccess(calibrated, [], zDim, age, added, calSeeds, opts.read, progress, opts.surrogate);
  } else {
    calibrated = calibrated.map(withoutGenderDirections); // no closed loop to show they do better
  }
  const axes = AxisSet.fromAxes(zDim, calibrated, age, added);
  const method = 'ridge regression (λ=' + lambda + ') of F logits on z; axis = unit weight vector; scale calibrated on ' + nCal + ' seeds' +
    (opts.read ? '; successRate and controllable measured through the closed loop (steer.ts) on the same seeds' : '');
  const file = axesFile(axes, calibrated, { zDim, samples, heldOut, seed: opts.seed, method }, opts.read ? openLoop : undefined, age);
  return { file, axes };
}

/**
 * The axes of added attributes alone, found exactly as discoverAxes finds the 40 (the same latents for the
 * same seed, ridge fit, calibration, closed-loop success), next to the `base` axes (which the calibration's
 * and the loop's edits hold, as users' edits do). `logits` gives the probes' logits only, in `added`'s order.
 * Returns the axes and their entries for axes.json's `added` section.
 */
export async function discoverAddedAxes(
  logits: LogitFn, added: readonly AddedAttributeModel[], base: AxisSet, opts: Omit<DiscoverOptions, 'withAges' | 'added'>,
): Promise<{ axes: Axis[]; entries: Record<string, AddedAxisRecord> }> {
  const { zDim, samples } = opts;
  if (zDim !== base.zDim) throw new RangeError(`z has ${zDim} numbers but the axes ${base.zDim}`);
  const heldOut = Math.max(1, Math.round(samples * (opts.heldOutFraction ?? 0.2)));
  const lambda = opts.lambda ?? 1;
  const progress = opts.onProgress ?? (() => {});
  const names = added.map((m) => m.probe.name);
  const sampled = await sampleReadings(logits, names.length, opts, progress);
  const fitted = fitAxes(sampled, names, samples - heldOut, zDim, lambda);
  const nCal = opts.calibrationSeeds ?? 48;
  const calSeeds = Array.from({ length: nCal }, (_, i) => seedToLatent((opts.seed + samples + i) >>> 0, zDim));
  const baseAxes = base.names().filter((n) => !names.includes(n)).map((n) => base.require(n));
  const baseAdded = base.added().filter((m) => !names.includes(m.probe.name));
  const withFitted = AxisSet.fromAxes(zDim, [...baseAxes, ...fitted], base.age, [...baseAdded, ...added]);
  let calibrated = await calibrateAxes(withFitted, names, withFitted, calSeeds, logits, opts.targetRate ?? 0.9, progress);
  const openLoop = new Map(calibrated.map((a) => [a.name, a.successRate]));
  if (opts.read) {
    calibrated = await closedLoopSuccess(calibrated, baseAxes, zDim, base.age, [...baseAdded, ...added], calSeeds, opts.read, progress, opts.surrogate);
  }
  const byName = new Map(added.map((m) => [m.probe.name, m]));
  const entries = Object.fromEntries(
    calibrated.map((a) => [a.name, { ...axisEntry(a, opts.read ? openLoop : undefined), probe: byName.get(a.name)!.record }]),
  );
  return { axes: calibrated, entries };
}

interface Sampled {
  latents: Float32Array[];
  /** F's logits, row-major [samples, 40]. */
  y: Float32Array;
  /** The age head's years, when F has one. */
  ages?: Float32Array;
}

/** Stage 1: the sampled latents and F's reading of G(z) for each ([samples, width] logits), in chunks. */
async function sampleReadings(
  logits: LogitFn, width: number, opts: Pick<DiscoverOptions, 'zDim' | 'samples' | 'seed' | 'withAges'>,
  progress: NonNullable<DiscoverOptions['onProgress']>,
): Promise<Sampled> {
  const { zDim, samples } = opts;
  const latents: Float32Array[] = [];
  for (let i = 0; i < samples; i++) latents.push(seedToLatent((opts.seed + i) >>> 0, zDim));
  const y = new Float32Array(samples * width);
  const ages = opts.withAges ? new Float32Array(samples) : undefined;
  const chunk = 512;
  for (let i = 0; i < samples; i += chunk) {
    const part = latents.slice(i, i + chunk);
    if (opts.withAges) {
      const read = await opts.withAges(part);
      y.set(read.logits, i * width);
      ages!.set(read.ages, i);
    } else {
      y.set(await logits(part), i * width);
    }
    progress('sample', Math.min(i + chunk, samples), samples);
  }
  return { latents, y, ...(ages ? { ages } : {}) };
}

/** Stage 2: one ridge regression per attribute (column) on the first nFit samples; the unit weight vector is the axis. */
function fitAxes({ latents, y }: Sampled, names: readonly AttributeName[], nFit: number, zDim: number, lambda: number): Axis[] {
  const width = names.length;
  const x = new Float32Array(nFit * zDim);
  for (let i = 0; i < nFit; i++) x.set(latents[i]!, i * zDim);
  const fit = ridgeFit(x, y.subarray(0, nFit * width), nFit, zDim, width, lambda);
  const axes = names.map((name, k) => axisFromFit(name, k, width, fit.weights[k]!, fit.intercepts[k]!, latents, y, nFit));
  const byGender = genderDirections({ latents, y }, names, nFit, zDim, lambda);
  return byGender ? axes.map((a, k) => (gendered(a.name) ? { ...a, byGender: { women: byGender.women[k]!, men: byGender.men[k]! } } : a)) : axes;
}

/** The attributes that get a direction per gender: all but the gender and age themselves. */
const gendered = (name: AttributeName) => name !== 'Male' && name !== 'Young';

/**
 * The same ridge fit on the fitting samples F reads as women (Male logit < 0) and as men, apart: each
 * attribute's direction within one gender. Undefined when either gender has fewer than 3·zDim samples.
 */
function genderDirections(
  { latents, y }: Pick<Sampled, 'latents' | 'y'>, names: readonly AttributeName[], nFit: number, zDim: number, lambda: number,
): { women: GenderDirection[]; men: GenderDirection[] } | undefined {
  const width = names.length;
  const iMale = names.indexOf('Male');
  if (iMale < 0) return undefined;
  const fitOn = (men: boolean): GenderDirection[] | undefined => {
    const rows: number[] = [];
    for (let i = 0; i < nFit; i++) if ((y[i * width + iMale]! >= 0) === men) rows.push(i);
    if (rows.length < 3 * zDim) return undefined;
    const x = new Float32Array(rows.length * zDim);
    const t = new Float32Array(rows.length * width);
    rows.forEach((i, r) => {
      x.set(latents[i]!, r * zDim);
      t.set(y.subarray(i * width, (i + 1) * width), r * width);
    });
    const fit = ridgeFit(x, t, rows.length, zDim, width, lambda);
    return names.map((_, k) => {
      const gain = Math.max(norm(fit.weights[k]!), 1e-3);
      const center = Math.max(-3, Math.min(3, -fit.intercepts[k]! / gain));
      return { vector: Float32Array.from(fit.weights[k]!, (v) => v / gain), gain, center };
    });
  };
  const women = fitOn(false);
  const men = fitOn(true);
  return women && men ? { women, men } : undefined;
}

/** One attribute's axis, its first-guess scale, and its fit quality on the held-out samples. */
function axisFromFit(
  name: AttributeName, k: number, width: number, w: Float64Array, intercept: number, latents: Float32Array[], y: Float32Array, nFit: number,
): Axis {
  const samples = latents.length;
  const heldOut = samples - nFit;
  const beta = norm(w);
  const u = Float32Array.from(w, (v) => v / (beta || 1));
  const coords = latents.map((z) => dot(z, u));
  const mean = coords.reduce((s, c) => s + c, 0) / samples;
  const std = Math.sqrt(coords.reduce((s, c) => s + (c - mean) ** 2, 0) / samples) || 1;
  const pred: number[] = [];
  const labels: boolean[] = [];
  let ssRes = 0;
  let ssTot = 0;
  let yMean = 0;
  for (let i = nFit; i < samples; i++) yMean += y[i * width + k]! / heldOut;
  for (let i = nFit; i < samples; i++) {
    const p = intercept + dot(latents[i]!, w);
    const t = y[i * width + k]!;
    pred.push(p);
    labels.push(t > 0);
    ssRes += (t - p) ** 2;
    ssTot += (t - yMean) ** 2;
  }
  const quality = auc(pred, labels);
  // residual spread of the logit not explained by this coordinate: sets the first guess of the scale
  const resid = Math.sqrt(Math.max(ssRes / heldOut, 1e-6));
  const center = beta > 0 ? -intercept / beta : 0;
  return {
    name,
    vector: u,
    center: Math.max(-3, Math.min(3, center)),
    scale: Math.min(3, Math.max(0.5, (1.28 * resid + 1) / Math.max(beta, 1e-3))),
    coordMean: mean,
    coordStd: std,
    quality: Number.isFinite(quality) ? quality : 0.5,
    r2: ssTot > 0 ? 1 - ssRes / ssTot : 0,
    controllable: false,
    successRate: 0,
    gain: beta,
  };
}

/**
 * Stage 3: each axis's scale, the smallest on a grid (then bisected) at which +1 switches the attribute on
 * and -1 off on `rate` of the calibration seeds, else the scale that comes closest.
 */
async function calibrateAxes(
  axes: AxisSet, names: readonly AttributeName[], others: AxisSet, calSeeds: Float32Array[], logits: LogitFn, rate: number,
  progress: NonNullable<DiscoverOptions['onProgress']>,
): Promise<Axis[]> {
  const calibrated: Axis[] = [];
  for (const [k, name] of names.entries()) {
    const base = axes.require(name);
    const score = async (scale: number) => {
      const r = await successAt({ ...base, scale }, others, calSeeds, logits, k, names.length);
      // rank by the weaker direction, then by the average of both
      return { scale, rate: Math.min(r.up, r.down), rank: Math.min(r.up, r.down) + 0.01 * (r.up + r.down) };
    };
    const grid = [0.5, 1, 1.5, 2, 2.5, 3, 4];
    let best = await score(grid[0]!);
    let lo = 0;
    for (const s of grid.slice(1)) {
      if (best.rate >= rate) break;
      lo = best.scale;
      const r = await score(s);
      if (r.rank >= best.rank) best = r;
    }
    if (best.rate >= rate && best.scale > 0.5) {
      for (let it = 0; it < 2; it++) {
        const mid = (lo + best.scale) / 2;
        const r = await score(mid);
        if (r.rate >= rate) best = r;
        else lo = mid;
      }
    }
    calibrated.push({ ...base, scale: best.scale, successRate: best.rate, controllable: best.rate >= RELIABLE_RATE && base.quality >= 0.75 });
    progress('calibrate', k + 1, names.length);
  }
  return calibrated;
}

/** One axis as axes.json keeps it, rounded. */
function axisEntry(a: Axis, openLoop: Map<AttributeName, number> | undefined): AxesFile['attributes'][string] {
  return {
    axis: Array.from(a.vector, (v) => round(v, 6)),
    center: round(a.center, 4),
    scale: round(a.scale, 4),
    coordMean: round(a.coordMean, 4),
    coordStd: round(a.coordStd, 4),
    quality: round(a.quality, 4),
    r2: round(a.r2, 4),
    controllable: a.controllable,
    successRate: round(a.successRate, 4),
    ...(a.successByGender ? { successByGender: { women: round(a.successByGender.women, 4), men: round(a.successByGender.men, 4) } } : {}),
    ...(openLoop ? { openLoopSuccessRate: round(openLoop.get(a.name)!, 4) } : {}),
    gain: round(a.gain ?? 1, 4),
    ...(a.byGender ? { byGender: Object.fromEntries(Object.entries(a.byGender).map(([g, d]) => [g, {
      axis: Array.from(d.vector, (v) => round(v, 6)), gain: round(d.gain, 4), center: round(d.center, 4),
      ...(d.success !== undefined ? { success: round(d.success, 4) } : {}),
      ...(d.populationSuccess !== undefined ? { populationSuccess: round(d.populationSuccess, 4) } : {}),
    }])) } : {}),
  };
}

/**
 * Stage 4: axes.json, rounded: the axes, the age axis, the open-loop rates when the loop measured success, the
 * 40 axes' cosines, and the added attributes (axis and probe) when there are any.
 */
function axesFile(
  axes: AxisSet, calibrated: Axis[], header: { zDim: number; samples: number; heldOut: number; seed: number; method: string },
  openLoop: Map<AttributeName, number> | undefined, age: AgeAxis | undefined,
): AxesFile & Record<string, unknown> {
  const cosine = ATTRIBUTES.map((a) => ATTRIBUTES.map((b) => round(dot(axes.require(a).vector, axes.require(b).vector), 3)));
  const added = new Map(axes.added().map((m) => [m.probe.name, m.record]));
  return {
    version: 1,
    ...header,
    attributes: Object.fromEntries(calibrated.filter((a) => !added.has(a.name)).map((a) => [a.name, axisEntry(a, openLoop)])),
    ...(age
      ? {
          age: {
            axis: Array.from(age.vector, (v) => round(v, 6)),
            intercept: round(age.intercept, 3), slope: round(age.slope, 4),
            coordMean: round(age.coordMean, 4), coordStd: round(age.coordStd, 4),
            r2: round(age.r2, 4), mae: round(age.mae, 3), ageMean: round(age.ageMean, 2), ageStd: round(age.ageStd, 2),
          },
        }
      : {}),
    cosine: { order: [...ATTRIBUTES], matrix: cosine },
    ...(added.size > 0
      ? {
          added: Object.fromEntries(
            calibrated.filter((a) => added.has(a.name)).map((a) => [a.name, { ...axisEntry(a, openLoop), probe: added.get(a.name)! }]),
          ),
        }
      : {}),
  };
}

/**
 * Each axis's on/off success through the closed loop (steer.ts) on the calibration seeds, and apart for
 * those F reads as women and as men. Where an axis has directions per gender (fitAxes), the loop runs both
 * with the population's axis and with them, and each gender keeps its own direction only where it switched the
 * attribute on and off on more of that gender's seeds; the rates are those of what is kept. `others` are
 * the axes edited alongside (held), `added` the added attributes' models.
 */
async function closedLoopSuccess(
  calibrated: readonly Axis[], others: readonly Axis[], zDim: number, age: AgeAxis | undefined, added: readonly AddedAttributeModel[],
  seeds: Float32Array[], read: ReadFaces, progress: NonNullable<DiscoverOptions['onProgress']>, surrogate?: LocalModel,
): Promise<Axis[]> {
  const batched = batchReads(read);
  const starts = seeds.map((z) => keepInRange(z));
  const before = await read(starts);
  const isMan = before.map((r) => (readingLogit(r, 'Male') ?? 0) >= 0);
  const withDirections = calibrated.some((a) => a.byGender);
  const total = calibrated.length * (withDirections ? 2 : 1);
  /** Per axis and seed: did the +1 target switch it on, and the -1 target off (F's logit past 0)? */
  const hitsWith = async (axes: readonly Axis[], done: number) => {
    const set = AxisSet.fromAxes(zDim, [...others, ...axes], age, added).withSurrogate(surrogate);
    const out = new Map<AttributeName, Hits>();
    for (const [k, { name }] of axes.entries()) {
      const hits = async (w: number) => {
        const e = { text: '', weights: { [name]: w }, mode: { [name]: 'target' as const }, locks: [] };
        const r = await Promise.all(starts.map((z, i) => steerEdit(z, before[i]!, e, set, new Set(), batched)));
        return r.map((x) => {
          const v = readingLogit(x.reading, name);
          return v !== undefined && (w > 0 ? v > 0 : v < 0);
        });
      };
      out.set(name, { on: await hits(1), off: await hits(-1) });
      progress('closed loop', done + k + 1, total);
    }
    return out;
  };
  const rate = (h: Hits, men?: boolean) => {
    const idx = seeds.map((_, i) => i).filter((i) => men === undefined || isMan[i] === men);
    if (idx.length === 0) return 0;
    const frac = (xs: boolean[]) => idx.filter((i) => xs[i]).length / idx.length;
    return Math.min(frac(h.on), frac(h.off));
  };
  const population = await hitsWith(calibrated.map(withoutGenderDirections), 0);
  const own = withDirections ? await hitsWith(calibrated, calibrated.length) : undefined;
  return calibrated.map((a) => {
    const pop = population.get(a.name)!;
    const mine = own?.get(a.name);
    const kept: NonNullable<Axis['byGender']> = {};
    for (const g of ['women', 'men'] as const) {
      const d = a.byGender?.[g];
      const men = g === 'men';
      if (d && mine && rate(mine, men) > rate(pop, men)) kept[g] = { ...d, success: rate(mine, men), populationSuccess: rate(pop, men) };
    }
    const pick = (i: number) => (kept[isMan[i] ? 'men' : 'women'] ? mine! : pop);
    const hits = { on: seeds.map((_, i) => pick(i).on[i]!), off: seeds.map((_, i) => pick(i).off[i]!) };
    const successRate = rate(hits);
    return {
      ...withoutGenderDirections(a), ...(kept.women || kept.men ? { byGender: kept } : {}),
      successRate, successByGender: { women: rate(hits, false), men: rate(hits, true) },
      controllable: successRate >= RELIABLE_RATE && a.quality >= 0.75,
    };
  });
}

/** Per seed: whether the +1 target switched the attribute on, and whether the -1 target switched it off. */
interface Hits {
  on: boolean[];
  off: boolean[];
}

/** An axis without its directions per gender (the population's axis alone). */
function withoutGenderDirections(a: Axis): Axis {
  const rest = { ...a };
  delete rest.byGender;
  return rest;
}

/** The age axis: ridge fit of the age head's years on z, like the attribute axes; quality on the held-out part. */
function fitAgeAxis(y: Float32Array, latents: Float32Array[], nFit: number, zDim: number, lambda: number): AgeAxis {
  const samples = latents.length;
  const x = new Float32Array(nFit * zDim);
  for (let i = 0; i < nFit; i++) x.set(latents[i]!, i * zDim);
  const fit = ridgeFit(x, y.subarray(0, nFit), nFit, zDim, 1, lambda);
  const w = fit.weights[0]!;
  const slope = norm(w) || 1e-6;
  const vector = Float32Array.from(w, (v) => v / slope);
  const coords = latents.map((z) => dot(z, vector));
  const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
  const sd = (a: ArrayLike<number>) => Math.sqrt(mean(Array.from(a, (v) => (v - mean(a)) ** 2))) || 1;
  let ssRes = 0;
  let ssTot = 0;
  let absErr = 0;
  const heldMean = mean(y.subarray(nFit));
  for (let i = nFit; i < samples; i++) {
    const p = fit.intercepts[0]! + slope * coords[i]!;
    ssRes += (y[i]! - p) ** 2;
    ssTot += (y[i]! - heldMean) ** 2;
    absErr += Math.abs(y[i]! - p);
  }
  return {
    vector, intercept: fit.intercepts[0]!, slope, coordMean: mean(coords), coordStd: sd(coords),
    r2: ssTot > 0 ? 1 - ssRes / ssTot : 0, mae: absErr / Math.max(1, samples - nFit), ageMean: mean(y), ageStd: sd(y),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export type { AttributeName };
