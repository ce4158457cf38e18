/**
 * npm run eval:axes [-- --seeds N --models-dir DIR]
 * How well each feature axis controls its attribute, measured with F on N random seeds:
 *   up/down  fraction of seeds where a +1 step raises F's probability and a -1 step lowers it
 *   on/off   fraction where +1 makes the attribute present (p > 0.5) and -1 absent
 *   ±0.5     mean |Δp| for ±0.5 steps (is half a unit noticeable?)
 *   others   mean |Δp| of the other 39 attributes for the +1 edit
 *   Male/Young leak   mean |Δp(Male)| and |Δp(Young)| for the +1 edit, locked (default) vs unlocked
 * With --closed-loop the ±1 targets (on/off, and the locked leaks) go through the engine's closed loop
 * (src/latent/steer.ts: F reads the rendered face and the edit is corrected), as users get them; the
 * steps stay linear. F grades a loop that optimises F here: training/eval_edits.py grades with the judge.
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
import { AXES_FILE, CLASSIFIER_FILE, GENERATOR_FILE } from '../render/models.js';
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
  },
});

const edit = (name: AttributeName, w: number, mode: 'target' | 'step'): Edit => ({
  text: '',
  weights: { [name]: w },
  mode: { [name]: mode },
  locks: [],
});

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
  controllable: boolean;
}

async function main(): Promise<void> {
  const dir = path.resolve(values['models-dir']!);
  const n = Number(values.seeds);
  const generator = await Generator.load(path.join(dir, GENERATOR_FILE), config.EXECUTION_PROVIDER);
  const classifier = await Classifier.load(path.join(dir, CLASSIFIER_FILE), generator.provider);
  const axes = AxisSet.fromFile(path.join(dir, AXES_FILE));
  const scorer = new LatentScorer(generator, classifier);
  const probs = async (zs: Float32Array[]) => (await scorer.logits(zs)).map(sigmoid);
  const seeds = Array.from({ length: n }, (_, i) => keepInRange(seedToLatent(Number(values['first-seed']) + i, axes.zDim)));
  const base = await probs(seeds);
  const loop = values['closed-loop'];
  const baseReadings = loop ? await scorer.read(seeds) : [];
  const read = batchReads((zs) => scorer.read(zs));
  const steered = (e: Edit) => (zs: Float32Array[]) =>
    Promise.all(zs.map(async (z, i) => (await steerEdit(z, baseReadings[i]!, e, axes, new Set(), read)).z));
  const linear = (e: Edit, options = {}) => async (zs: Float32Array[]) => zs.map((z) => applyEdit(z, e, axes, new Set(), options));
  const iMale = ATTRIBUTES.indexOf('Male');
  const iYoung = ATTRIBUTES.indexOf('Young');
  const rows: AxisRow[] = [];
  for (const [k, name] of ATTRIBUTES.entries()) {
    const target = loop ? steered : linear;
    const variants = [
      target(edit(name, 1, 'target')),
      target(edit(name, -1, 'target')),
      linear(edit(name, 1, 'step')),
      linear(edit(name, -1, 'step')),
      linear(edit(name, 0.5, 'step')),
      linear(edit(name, -0.5, 'step')),
      linear(edit(name, 1, 'target'), { implicitLocks: [] }),
      linear(edit(name, -1, 'target'), { implicitLocks: [] }),
    ];
    const edited: Float32Array[] = [];
    for (const f of variants) edited.push(...(await f(seeds)));
    const p = await probs(edited);
    const at = (v: number, i: number, col: number) => p[(v * n + i) * 40 + col]!;
    let up = 0, down = 0, on = 0, off = 0, half = 0, others = 0;
    let leakM = 0, leakY = 0, leakMu = 0, leakYu = 0, leakNegM = 0, leakNegMu = 0;
    for (let i = 0; i < n; i++) {
      const b = (col: number) => base[i * 40 + col]!;
      if (at(2, i, k) > b(k)) up++;
      if (at(3, i, k) < b(k)) down++;
      if (at(0, i, k) > 0.5) on++;
      if (at(1, i, k) < 0.5) off++;
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
      controllable: axis.controllable,
    });
  }
  if (values.json) {
    console.log(JSON.stringify({ seeds: n, rows }, null, 1));
  } else {
    const f = (x: number) => x.toFixed(2);
    console.log(`feature axes measured with F on ${n} seeds (locks: Male and Young unless edited; ±1 targets ${loop ? 'closed-loop' : 'open-loop'})`);
    console.log('attribute            up/down on/off  ±0.5  others  Male lock/free  Young lock/free  axis');
    for (const r of rows) {
      const male = r.name === 'Male' ? '   -     -  ' : `${f(r.maleLocked)}  ${f(r.maleUnlocked)}`;
      const young = r.name === 'Young' ? '   -     -  ' : `${f(r.youngLocked)}  ${f(r.youngUnlocked)}`;
      console.log(
        `${r.name.padEnd(20)} ${f(r.upDown)}    ${f(r.onOff)}   ${f(r.half)}  ${f(r.others)}    ${male}      ${young}       ${r.controllable ? 'ok' : 'WEAK'}`,
      );
    }
    // the edits people make: beard = No_Beard -1, the rest +1
    const facial: Array<[AttributeName, 1 | -1]> = [['No_Beard', -1], ['Goatee', 1], ['Mustache', 1], ['5_o_Clock_Shadow', 1], ['Heavy_Makeup', 1], ['Wearing_Lipstick', 1]];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const leak = (locked: boolean) =>
      mean(facial.map(([name, sign]) => {
        const r = rows.find((x) => x.name === name)!;
        return sign > 0 ? (locked ? r.maleLocked : r.maleUnlocked) : locked ? r.maleLockedNeg : r.maleUnlockedNeg;
      }));
    console.log(
      `beard, goatee, moustache, stubble, makeup and lipstick targets move P(Male) by ${f(leak(true))} on average with Male locked, ${f(leak(false))} unlocked`,
    );
    console.log(`mean up/down ${f(mean(rows.map((r) => r.upDown)))}, mean on/off ${f(mean(rows.map((r) => r.onOff)))}`);
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
