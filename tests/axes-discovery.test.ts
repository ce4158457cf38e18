import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTRIBUTES } from '../src/face/attributes.js';
import { AxisSet } from '../src/latent/axes.js';
import { discoverAxes } from '../src/latent/discover.js';
import { auc, ridgeFit } from '../src/latent/ridge.js';
import { dot } from '../src/latent/vector.js';
import { Classifier } from '../src/render/classifier.js';
import { Generator } from '../src/render/generator.js';
import { LatentScorer } from '../src/render/scorer.js';

const FIXTURES = 'tests/fixtures/models';
const truth = JSON.parse(fs.readFileSync('tests/fixtures/fixture_truth.json', 'utf8')) as {
  zDim: number;
  axes: Record<string, number[]>;
};

describe('ridge regression', () => {
  it('recovers a known linear map, intercept included', () => {
    const n = 400, d = 5, k = 2;
    const w = [[1, -2, 0, 0.5, 3], [0, 0, 1, 1, -1]];
    const x = new Float64Array(n * d);
    const y = new Float64Array(n * k);
    let s = 1;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) x[i * d + j] = rnd();
      for (let t = 0; t < k; t++) y[i * k + t] = 0.7 * t + w[t]!.reduce((a, wj, j) => a + wj * x[i * d + j]!, 0);
    }
    const fit = ridgeFit(x, y, n, d, k, 1e-6);
    for (let t = 0; t < k; t++) {
      w[t]!.forEach((wj, j) => expect(fit.weights[t]![j]).toBeCloseTo(wj, 4));
      expect(fit.intercepts[t]).toBeCloseTo(0.7 * t, 4);
    }
  });

  it('computes AUC like the rank-sum formula', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 10);
    expect(auc([1, 2, 3], [true, true, true])).toBeNaN();
  });
});

describe('axis discovery on the fixture models', () => {
  let g: Generator;
  let f: Classifier;
  beforeAll(async () => {
    g = await Generator.load(path.join(FIXTURES, 'generator.onnx'), 'cpu');
    f = await Classifier.load(path.join(FIXTURES, 'classifier.onnx'), 'cpu');
  });
  afterAll(async () => {
    await g?.close();
    await f?.close();
  });

  it('finds the directions the fixture was built with, and calibrates them', async () => {
    const scorer = new LatentScorer(g, f);
    const stages = new Set<string>();
    const { file, axes } = await discoverAxes((zs) => scorer.logits(zs), {
      zDim: g.zDim,
      samples: 1500,
      seed: 10,
      calibrationSeeds: 16,
      onProgress: (stage) => stages.add(stage),
    });
    expect([...stages]).toEqual(['sample', 'calibrate']);
    let good = 0;
    for (const name of ATTRIBUTES) {
      const a = axes.require(name);
      expect(Math.hypot(...a.vector)).toBeCloseTo(1, 5);
      if (dot(a.vector, truth.axes[name]!) > 0.97) good++;
      expect(a.quality).toBeGreaterThan(0.9);
      expect(a.scale).toBeGreaterThan(0);
    }
    expect(good).toBeGreaterThanOrEqual(38);
    // the file round-trips through the loader the app uses
    const reloaded = AxisSet.fromJSON(JSON.parse(JSON.stringify(file)));
    expect(dot(reloaded.require('Male').vector, axes.require('Male').vector)).toBeCloseTo(1, 5);
    const cos = (file as unknown as { cosine: { matrix: number[][] } }).cosine.matrix;
    expect(cos).toHaveLength(40);
    expect(cos[0]![0]).toBeCloseTo(1, 3);
  });
});

/** F(G(z)) of a synthetic world as discoverAxes takes it: the logits of many latents, and readings for the loop. */
function worldOf(logitsOf: (z: Float32Array) => Float32Array) {
  return {
    logits: async (zs: Float32Array[]) => {
      const out = new Float32Array(zs.length * 40);
      zs.forEach((z, i) => out.set(logitsOf(z), i * 40));
      return out;
    },
    read: async (zs: Float32Array[]) => zs.map((z) => ({ logits: logitsOf(z) })),
  };
}

describe('directions per gender (byGender)', () => {
  it("fits each attribute apart on women's and men's faces, and keeps a gender's direction where the loop does better with it", async () => {
    // a world where bushy eyebrows rise along z2 on women's faces and along z1 on men's (where z2 lowers them):
    // the population's fit is about z1, which does nothing on a woman's face; Male is z0; every other attribute
    // varies alike on both
    const D = 8;
    const iMale = ATTRIBUTES.indexOf('Male');
    const iBrows = ATTRIBUTES.indexOf('Bushy_Eyebrows');
    const logitsOf = (z: Float32Array) => {
      const out = new Float32Array(40);
      ATTRIBUTES.forEach((_, k) => (out[k] = 2 * z[3 + (k % 5)]!));
      out[iMale] = 3 * z[0]!;
      out[iBrows] = (z[0]! >= 0 ? 3 * z[1]! - 3 * z[2]! : 3 * z[2]!) - 1;
      return out;
    };
    const { logits, read } = worldOf(logitsOf);
    const { file, axes } = await discoverAxes(logits, { zDim: D, samples: 2000, seed: 10, calibrationSeeds: 24, read });
    const e = (j: number) => Float32Array.from({ length: D }, (_, i) => (i === j ? 1 : 0));
    const brows = axes.require('Bushy_Eyebrows');
    const women = brows.byGender!.women!;
    expect(dot(women.vector, e(2))).toBeGreaterThan(0.95);
    expect(Math.abs(dot(brows.vector, e(2)))).toBeLessThan(0.5);
    // within one gender the logit is 3·coordinate − 1: gain 3, 50% at 1/3
    expect(women.gain).toBeCloseTo(3, 0);
    expect(women.center).toBeCloseTo(1 / 3, 1);
    // kept because the loop did better with it, and the axis's success is that of what is kept
    expect(women.success!).toBeGreaterThan(women.populationSuccess!);
    expect(brows.successByGender!.women).toBe(women.success);
    const men = brows.byGender!.men;
    if (men) expect(men.success!).toBeGreaterThan(men.populationSuccess!);
    // where both genders vary alike the loop does no better with its own: nothing kept
    expect(axes.require('Smiling').byGender).toBeUndefined();
    // the gender and the age are what the split is made by: no direction of their own
    expect(axes.require('Male').byGender).toBeUndefined();
    expect(axes.require('Young').byGender).toBeUndefined();
    // a woman's face is edited along the women's direction; the identity axes stay the population's
    expect(dot(axes.forGender('women').require('Bushy_Eyebrows').vector, e(2))).toBeGreaterThan(0.95);
    expect(axes.forGender('women').require('Male')).toBe(axes.require('Male'));
    // axes.json keeps them, and they read back
    const back = AxisSet.fromJSON(JSON.parse(JSON.stringify(file))).require('Bushy_Eyebrows').byGender!;
    expect(dot(back.women!.vector, women.vector)).toBeCloseTo(1, 5);
    expect(back.women!.center).toBeCloseTo(women.center, 3);
    expect(back.women!.success).toBeCloseTo(women.success!, 3);
    // a file with a direction of the wrong length is refused with its name
    const bad = JSON.parse(JSON.stringify(file));
    bad.attributes.Bushy_Eyebrows.byGender.women.axis = [1, 2];
    expect(() => AxisSet.fromJSON(bad)).toThrow(/Bushy_Eyebrows's direction for women has 2 numbers, expected 8/);
    // without the closed loop there is no evidence for them: none are kept
    const open = await discoverAxes(logits, { zDim: D, samples: 2000, seed: 10, calibrationSeeds: 8 });
    expect(open.axes.names().some((n) => open.axes.require(n).byGender)).toBe(false);
  });
});

describe('calibration with the surrogate the engine steers by', () => {
  it("measures each axis's success through the loop that steers by the surrogate, when given one", async () => {
    // bangs rise along +z1 on faces with z2 >= 0 and along -z1 on the others: one straight axis cannot switch
    // them on for every face; the loop along each face's gradient can. Male is z0; the rest vary alike.
    const D = 6;
    const iBangs = ATTRIBUTES.indexOf('Bangs');
    const logitsOf = (z: Float32Array) => {
      const out = new Float32Array(40);
      ATTRIBUTES.forEach((_, k) => (out[k] = 2 * z[3 + (k % 3)]!));
      out[ATTRIBUTES.indexOf('Male')] = 3 * z[0]!;
      out[iBangs] = 3 * Math.tanh(3 * z[2]!) * z[1]! - 1;
      return out;
    };
    const { logits, read } = worldOf(logitsOf);
    const exact = {
      zDim: D,
      gradients: (z: Float32Array, names: readonly string[]) => names.map((n) => {
        const g = new Float32Array(D);
        const k = ATTRIBUTES.indexOf(n as (typeof ATTRIBUTES)[number]);
        if (k < 0) return undefined;
        if (n === 'Bangs') {
          const t = Math.tanh(3 * z[2]!);
          g[1] = 3 * t;
          g[2] = 9 * (1 - t * t) * z[1]!;
        } else if (n === 'Male') g[0] = 3;
        else g[3 + (k % 3)] = 2;
        return g;
      }),
    };
    const opts = { zDim: D, samples: 1500, seed: 10, calibrationSeeds: 40, read };
    const along = (await discoverAxes(logits, opts)).axes.require('Bangs');
    const steered = (await discoverAxes(logits, { ...opts, surrogate: exact })).axes.require('Bangs');
    expect(along.successRate).toBeLessThan(0.75);
    expect(steered.successRate).toBeGreaterThanOrEqual(0.75);
    expect(steered.controllable).toBe(steered.quality >= 0.75);
  });
});

describe('axis success measured through the closed loop', () => {
  it('re-measures on/off through the loop and keeps the open-loop rate beside it', async () => {
    const g = await Generator.load(path.join(FIXTURES, 'generator.onnx'), 'cpu');
    const f = await Classifier.load(path.join(FIXTURES, 'classifier.onnx'), 'cpu');
    const scorer = new LatentScorer(g, f);
    const stages = new Set<string>();
    const { file, axes } = await discoverAxes((zs) => scorer.logits(zs), {
      zDim: g.zDim, samples: 600, seed: 10, calibrationSeeds: 8,
      read: (zs) => scorer.read(zs), onProgress: (stage) => stages.add(stage),
    });
    expect([...stages]).toEqual(['sample', 'calibrate', 'closed loop']);
    const rows = Object.values(file.attributes);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const r of rows) expect(r.openLoopSuccessRate).toBeTypeOf('number');
    expect(mean(rows.map((r) => r.successRate))).toBeGreaterThanOrEqual(mean(rows.map((r) => r.openLoopSuccessRate!)) - 0.05);
    for (const name of ATTRIBUTES) {
      const a = axes.require(name);
      expect(a.controllable).toBe(a.successRate >= 0.75 && a.quality >= 0.75);
      // apart by gender: each a rate; the whole is at least the worse part (on and off are weighted means)
      const by = a.successByGender!;
      for (const v of [by.women, by.men]) expect(v >= 0 && v <= 1).toBe(true);
      expect(a.successRate).toBeGreaterThanOrEqual(Math.min(by.women, by.men) - 1e-9);
    }
    // the file keeps the split, and it reads back
    expect(file.attributes.Smiling!.successByGender).toEqual(axes.require('Smiling').successByGender);
    expect(AxisSet.fromJSON(JSON.parse(JSON.stringify(file))).require('Smiling').successByGender).toEqual(axes.require('Smiling').successByGender);
    await g.close();
    await f.close();
  });
});

describe('npm run axes (CLI)', () => {
  it('writes an axes file with versions of the models it came from', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'axes-')), 'axes.json');
    const r = spawnSync('node_modules/.bin/tsx', ['src/cli/axes.ts', '--models-dir', FIXTURES, '--samples', '600', '--calibration-seeds', '8', '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(json.generator.file).toBe('generator.onnx');
    expect(json.generator.sha256).toMatch(/^[0-9a-f]{12}$/);
    expect(json.classifier.file).toBe('classifier.onnx');
    expect(Object.keys(json.attributes)).toHaveLength(40);
    expect(r.stderr).toMatch(/sample: 600\/600/);
    expect(() => AxisSet.fromFile(out)).not.toThrow();
  });

  it('refuses a missing models folder with a clear message', () => {
    const r = spawnSync('node_modules/.bin/tsx', ['src/cli/axes.ts', '--models-dir', 'no/such/dir'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/model file not found: .*no\/such\/dir\/generator\.onnx/);
  });
});
