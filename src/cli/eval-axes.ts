/**
 * npm run eval:axes [-- --seeds N --models-dir DIR]
 * How well each feature axis controls its attribute, measured with F on N random seeds:
 *   up/down  fraction of seeds where a +1 step raises F's probability and a -1 step lowers it
 *   on/off   fraction where +1 makes the attribute present (p > 0.5) and -1 absent
 *   ±0.5     mean |Δp| for ±0.5 steps (is half a unit noticeable?)
 *   others   mean |Δp| of the other 39 attributes for the +1 edit
 *   Male/Young leak   mean |Δp(Male)| and |Δp(Young)| for the +1 edit, locked (default) vs unlocked
 *   age leak  mean |Δ years| of F's age head for the +1 edit, locked (when F has an age head)
 *   drift     identity drift: how far the +1 target moves the face in F's feature space (the layer F's heads
 *             read), as a fraction of the mean distance between two different seeds (0 = the same face,
 *             1 = a stranger); drift ±0.5 is the same for half steps, the small words ("a bit more")
 * With --closed-loop the ±1 targets (on/off, and the locked leaks) and the ±0.5 steps ("a bit more", and
 * their drift) go through the engine's closed loop (src/latent/steer.ts: F reads the rendered face and the
 * edit is corrected), as users get them; the ±1 steps (up/down) stay linear. F grades a loop that optimises F here: training/eval_edits.py grades with the judge.
 * --only A,B,... measures those attributes alone (the summary lines then cover only them).
 * --no-holds runs the ±1 targets without the implicit Male, age and smile holds: what G can draw at all, to tell
 * "G cannot draw it" from "G cannot draw it without changing the gender or the age". --holds Male (or Young)
 * keeps only that one, to tell which hold stops an axis.
 * --no-surrogate steers the loop along the axes alone, as without models/surrogate.json, to measure what the
 * surrogate adds.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ATTRIBUTES, type AttributeName } from '../face/attributes.js';
import { AxisSet } from '../latent/axes.js';
import { applyEdit, keepInRange } from '../latent/edit.js';
import { batchReads, steerEdit } from '../latent/steer.js';
import type { Edit } from '../face/record.js';
import { seedToLatent } from '../latent/seed.js';
import { Classifier, sigmoid } from '../render/classifier.js';
import { Generator } from '../render/generator.js';
import { AXES_FILE, CLASSIFIER_FILE, GENERATOR_FILE, SURROGATE_FILE, surrogateFor } from '../render/models.js';
import { LatentScorer } from '../render/scorer.js';
import { cliConfig } from './args.js';

const config = cliConfig('eval:axes');

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '200' },
    'first-seed': { type: 'string', default: '5000000' },
    'models-dir': { type: 'string', default: config.MODELS_DIR },
    json: { type: 'boolean', default: false },
    'closed-loop': { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-holds': { type: 'boolean', default: false },
    holds: { type: 'string' },
    'no-surrogate': { type: 'boolean', default: false },
  },
});

const edit = (name: AttributeName, w: number, mode: 'target' | 'step', locks: AttributeName[] = []): Edit => ({
  text: '',
  weights: { [name]: w },
  mode: { [name]: mode },
  locks,
});

/** The edits people make that drag the gender: beard = No_Beard -1, the rest +1. */
const FACIAL: ReadonlyArray<readonly [AttributeName, 1 | -1]> = [
  ['No_Beard', -1], ['Goatee', 1], ['Mustache', 1], ['5_o_Clock_Shadow', 1], ['Heavy_Makeup', 1], ['Wearing_Lipstick', 1],
];

interface AxisRow {
  name: AttributeName;
  upDown: number;
  onOff: number;
  half: number;
  others: number;
  maleLocked: number;
  maleUnlocked: number;
  youngLocked: number;
  youngUnlocked: number;
  /** The same for the -1 target (e.g. No_Beard -1 is "a beard"). */
  maleLockedNeg: number;
  maleUnlockedNeg: number;
  /** For the FACIAL edits with the closed loop: |Δp(Male)| with Male locked by the user ("keep the gender"). */
  maleUserLocked?: number;
  /** Fractions of seeds where the +1 target is on (p > 0.5), and the -1 target off; onOff is the smaller. */
  on: number;
  off: number;
  /** on and off apart for the seeds F reads as women (P(Male) < 0.5 before the edit) and as men. */
  byGender: { women: { on: number; off: number }; men: { on: number; off: number } };
  /** Mean |Δ years| for the +1 target (F's age head), when F has one. */
  ageLocked?: number;
  /** Identity drift of the +1 target and of the ±0.5 steps, when F gives its features. */
  drift?: number;
  driftHalf?: number;
  controllable: boolean;
}

/** Euclidean distance between rows i and j of two row-major [n, dim] arrays. */
function rowDistance(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const x = a[i * dim + d]! - b[j * dim + d]!;
    s += x * x;
  }
  return Math.sqrt(s);
}

async function main(): Promise<void> {
  const dir = path.resolve(values['models-dir']!);
  const n = Number(values.seeds);
  const generator = await Generator.load(path.join(dir, GENERATOR_FILE), config.EXECUTION_PROVIDER);
  const classifier = await Classifier.load(path.join(dir, CLASSIFIER_FILE), generator.provider);
  const plainAxes = AxisSet.fromFile(path.join(dir, AXES_FILE));
  const steering = values['no-surrogate'] ? {} : surrogateFor(path.join(dir, SURROGATE_FILE), generator.fingerprint, generator.zDim, plainAxes.probes());
  if (steering.problem) console.error(steering.problem);
  const axes = plainAxes.withSurrogate(steering.surrogate);
  if (values['closed-loop']) console.error(`the loop steers ${steering.surrogate ? 'by the surrogate' : 'along the axes'}`);
  const scorer = new LatentScorer(generator, classifier);
  /** Probabilities [n, 40], and F's ages [n] and features [n, dim] when it has them. */
  const readAll = async (zs: Float32Array[]) => {
    const r = await scorer.readMany(zs, 256, true);
    return { p: r.logits.map(sigmoid), ages: r.ages, features: r.features };
  };
  const seeds = Array.from({ length: n }, (_, i) => keepInRange(seedToLatent(Number(values['first-seed']) + i, axes.zDim)));
  const baseRead = await readAll(seeds);
  const base = baseRead.p;
  const dim = baseRead.features ? baseRead.features.length / n : 0;
  // a stranger's distance: seed i against seed i+1
  let stranger = 0;
  for (let i = 0; i + 1 < n && dim > 0; i++) stranger += rowDistance(baseRead.features!, i, baseRead.features!, i + 1, dim) / (n - 1);
  const loop = values['closed-loop'];
  const baseReadings = loop ? await scorer.read(seeds) : [];
  const read = batchReads((zs) => scorer.read(zs));
  const holdNames = values['no-holds'] ? [] : values.holds?.split(',').map((s) => s.trim()).filter(Boolean);
  const badHold = holdNames?.find((s) => !(ATTRIBUTES as readonly string[]).includes(s));
  if (badHold) throw new Error(`--holds: no attribute called ${badHold}`);
  const holds = holdNames ? { implicitLocks: holdNames as AttributeName[] } : {};
  const steered = (e: Edit) => (zs: Float32Array[]) =>
    Promise.all(zs.map(async (z, i) => (await steerEdit(z, baseReadings[i]!, e, axes, new Set(), read, holds)).z));
  const linear = (e: Edit, options = {}) => async (zs: Float32Array[]) =>
    zs.map((z) => applyEdit(z, e, axes, new Set(), { ...holds, ...options }));
  const iMale = ATTRIBUTES.indexOf('Male');
  const iYoung = ATTRIBUTES.indexOf('Young');
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : undefined;
  const unknown = [...(only ?? [])].filter((s) => !(ATTRIBUTES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--only: no attribute called ${unknown.join(', ')} (names as in \`npm run axes\`, e.g. No_Beard)`);
  const rows: AxisRow[] = [];
  for (const [k, name] of ATTRIBUTES.entries()) {
    if (only && !only.has(name)) continue;
    const target = loop ? steered : linear;
    const variants = [
      target(edit(name, 1, 'target')),
      target(edit(name, -1, 'target')),
      linear(edit(name, 1, 'step')),
      linear(edit(name, -1, 'step')),
      target(edit(name, 0.5, 'step')),
      target(edit(name, -0.5, 'step')),
      linear(edit(name, 1, 'target'), { implicitLocks: [] }),
      linear(edit(name, -1, 'target'), { implicitLocks: [] }),
    ];
    const facialSign = FACIAL.find(([f]) => f === name)?.[1];
    if (loop && facialSign !== undefined) variants.push(steered(edit(name, facialSign, 'target', ['Male'])));
    const edited: Float32Array[] = [];
    for (const f of variants) edited.push(...(await f(seeds)));
    const read = await readAll(edited);
    const p = read.p;
    const at = (v: number, i: number, col: number) => p[(v * n + i) * 40 + col]!;
    const driftOf = (v: number, i: number) => rowDistance(read.features!, v * n + i, baseRead.features!, i, dim) / stranger;
    let up = 0, down = 0, on = 0, off = 0, half = 0, others = 0, ageLeak = 0, drift = 0, driftHalf = 0;
    const gender = { women: { n: 0, on: 0, off: 0 }, men: { n: 0, on: 0, off: 0 } };
    let leakM = 0, leakY = 0, leakMu = 0, leakYu = 0, leakNegM = 0, leakNegMu = 0, leakUser = 0;
    for (let i = 0; i < n; i++) {
      const b = (col: number) => base[i * 40 + col]!;
      if (at(2, i, k) > b(k)) up++;
      if (at(3, i, k) < b(k)) down++;
      const g = b(iMale) >= 0.5 ? gender.men : gender.women;
      g.n++;
      if (at(0, i, k) > 0.5) {
        on++;
        g.on++;
      }
      if (at(1, i, k) < 0.5) {
        off++;
        g.off++;
      }
      half += (Math.abs(at(4, i, k) - b(k)) + Math.abs(at(5, i, k) - b(k))) / 2;
      let o = 0;
      for (let c = 0; c < 40; c++) if (c !== k) o += Math.abs(at(0, i, c) - b(c));
      others += o / 39;
      leakM += Math.abs(at(0, i, iMale) - b(iMale));
      leakY += Math.abs(at(0, i, iYoung) - b(iYoung));
      leakMu += Math.abs(at(6, i, iMale) - b(iMale));
      leakYu += Math.abs(at(6, i, iYoung) - b(iYoung));
      leakNegM += Math.abs(at(1, i, iMale) - b(iMale));
      leakNegMu += Math.abs(at(7, i, iMale) - b(iMale));
      if (variants.length > 8) leakUser += Math.abs(at(8, i, iMale) - b(iMale));
      if (read.ages && baseRead.ages) ageLeak += Math.abs(read.ages[i]! - baseRead.ages[i]!);
      if (dim > 0 && stranger > 0) {
        drift += driftOf(0, i);
        driftHalf += (driftOf(4, i) + driftOf(5, i)) / 2;
      }
    }
    const axis = axes.require(name);
    rows.push({
      name,
      upDown: Math.min(up, down) / n,
      onOff: Math.min(on, off) / n,
      half: half / n,
      others: others / n,
      maleLocked: leakM / n,
      maleUnlocked: leakMu / n,
      youngLocked: leakY / n,
      youngUnlocked: leakYu / n,
      maleLockedNeg: leakNegM / n,
      maleUnlockedNeg: leakNegMu / n,
      ...(variants.length > 8 ? { maleUserLocked: leakUser / n } : {}),
      on: on / n,
      off: off / n,
      byGender: Object.fromEntries(Object.entries(gender).map(([key, g]) => [key, { on: g.on / Math.max(1, g.n), off: g.off / Math.max(1, g.n) }])) as AxisRow['byGender'],
      ...(read.ages && baseRead.ages ? { ageLocked: ageLeak / n } : {}),
      ...(dim > 0 && stranger > 0 ? { drift: drift / n, driftHalf: driftHalf / n } : {}),
      controllable: axis.controllable,
    });
  }
  if (values.json) {
    console.log(JSON.stringify({ seeds: n, rows }, null, 1));
  } else {
    const f = (x: number) => x.toFixed(2);
    console.log(`feature axes measured with F on ${n} seeds (locks: ${holdNames?.length === 0 ? 'none' : `${(holdNames ?? ['Male', 'Young']).join(' and ')} unless edited`}; ±1 targets ${loop ? 'closed-loop' : 'open-loop'})`);
    console.log('attribute            up/down on/off (on  off)   ±0.5  others  Male lock/free  Young lock/free  age±y  drift ±0.5  axis');
    for (const r of rows) {
      const male = r.name === 'Male' ? '   -     -  ' : `${f(r.maleLocked)}  ${f(r.maleUnlocked)}`;
      const young = r.name === 'Young' ? '   -     -  ' : `${f(r.youngLocked)}  ${f(r.youngUnlocked)}`;
      const age = r.ageLocked === undefined ? '   -  ' : r.ageLocked.toFixed(1).padStart(6);
      const drift = r.drift === undefined ? '   -     -  ' : `${f(r.drift)}  ${f(r.driftHalf!)}`;
      console.log(
        `${r.name.padEnd(20)} ${f(r.upDown)}    ${f(r.onOff)} (${f(r.on)} ${f(r.off)})  ${f(r.half)}  ${f(r.others)}    ${male}      ${young}    ${age}  ${drift}  ${r.controllable ? 'ok' : 'WEAK'}`,
      );
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const leak = (locked: boolean) =>
      mean(FACIAL.filter(([name]) => rows.some((x) => x.name === name)).map(([name, sign]) => {
        const r = rows.find((x) => x.name === name)!;
        return sign > 0 ? (locked ? r.maleLocked : r.maleUnlocked) : locked ? r.maleLockedNeg : r.maleUnlockedNeg;
      }));
    const userLocked = rows.filter((r) => r.maleUserLocked !== undefined);
    console.log(
      `beard, goatee, moustache, stubble, makeup and lipstick targets move P(Male) by ${f(leak(true))} on average with Male held by the engine, ${f(leak(false))} unlocked` +
        (userLocked.length > 0 ? `; ${f(mean(userLocked.map((r) => r.maleUserLocked!)))} with Male locked by the user (over ${userLocked.length})` : ''),
    );
    console.log(`mean up/down ${f(mean(rows.map((r) => r.upDown)))}, mean on/off ${f(mean(rows.map((r) => r.onOff)))}`);
    if (rows.every((r) => r.drift !== undefined)) {
      console.log(`identity drift (F's features, 1 = a different seed): ±1 targets ${f(mean(rows.map((r) => r.drift!)))}, ±0.5 steps ${f(mean(rows.map((r) => r.driftHalf!)))} on average`);
    }
    if (rows.every((r) => r.ageLocked !== undefined)) {
      console.log(`age held (F's age head): ±1 targets move it by ${mean(rows.filter((r) => r.name !== 'Young').map((r) => r.ageLocked!)).toFixed(1)} years on average`);
    }
    const missed = rows.filter((r) => r.onOff < 0.75 && r.name !== 'Male');
    if (missed.length > 0) {
      console.log('on/off below 0.75, split by the gender F reads before the edit (on/off for women | for men):');
      for (const r of missed) {
        const { women: w, men: m } = r.byGender;
        console.log(`  ${r.name.padEnd(20)} ${f(w.on)}/${f(w.off)} | ${f(m.on)}/${f(m.off)}`);
      }
    }
    console.log(`weak axes: ${rows.filter((r) => !r.controllable).map((r) => r.name).join(', ') || 'none'}`);
    console.log(`on/off >= 0.75 on ${rows.filter((r) => r.onOff >= 0.75).length} of 40 axes`);
  }
  await generator.close();
  await classifier.close();
}

main().catch((err: unknown) => {
  console.error(`eval:axes: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
