import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxisSet } from '../src/latent/axes.js';
import { discoverAxes } from '../src/latent/discover.js';
import { seedToLatent } from '../src/latent/seed.js';
import { Classifier } from '../src/render/classifier.js';
import { Generator } from '../src/render/generator.js';
import { LatentScorer } from '../src/render/scorer.js';

const AGE_FIXTURES = 'tests/fixtures/models-age';

describe("F's age output (fixture: age = 40 + 30 z[0], through a tanh generator)", () => {
  let g: Generator;
  let f: Classifier;
  let scorer: LatentScorer;
  beforeAll(async () => {
    g = await Generator.load(path.join(AGE_FIXTURES, 'generator.onnx'), 'cpu');
    f = await Classifier.load(path.join(AGE_FIXTURES, 'classifier.onnx'), 'cpu');
    scorer = new LatentScorer(g, f);
  });
  afterAll(async () => {
    await g?.close();
    await f?.close();
  });

  it('is read next to the 40 logits, and only when the model has it', async () => {
    expect(f.hasAge).toBe(true);
    const plain = await Classifier.load('tests/fixtures/models/classifier.onnx', 'cpu');
    expect(plain.hasAge).toBe(false);
    await plain.close();
    const zs = [0.5, -0.5, 1].map((z0) => Float32Array.from({ length: g.zDim }, (_, i) => (i === 0 ? z0 : 0)));
    const readings = await scorer.read(zs);
    expect(readings).toHaveLength(3);
    for (const r of readings) expect(r.logits).toHaveLength(40);
    const ages = readings.map((r) => r.age!);
    expect(ages[0]!).toBeGreaterThan(ages[1]!);
    expect(ages[2]!).toBeGreaterThan(ages[0]!);
    expect(Math.abs(ages[0]! - 55)).toBeLessThan(4);
  });

  it('gives an age axis along the direction age rises, in years per unit', async () => {
    const { axes, file } = await discoverAxes((zs) => scorer.logits(zs), {
      zDim: g.zDim, samples: 600, seed: 10, calibrationSeeds: 8, withAges: async (zs) => {
        const r = await scorer.readMany(zs);
        return { logits: r.logits, ages: r.ages! };
      },
    });
    expect(axes.age).toBeDefined();
    expect(Math.abs(axes.age!.vector[0]!)).toBeGreaterThan(0.9);
    expect(axes.age!.vector[0]!).toBeGreaterThan(0);
    expect(axes.age!.slope).toBeGreaterThan(15);
    expect(axes.age!.r2).toBeGreaterThan(0.8);
    const reloaded = AxisSet.fromJSON(JSON.parse(JSON.stringify(file)));
    expect(reloaded.age!.slope).toBeCloseTo(axes.age!.slope, 3);
    const z = seedToLatent(3, g.zDim);
    expect(Number.isFinite(reloaded.age!.intercept + reloaded.age!.slope * z[0]!)).toBe(true);
  });

  it('npm run axes writes the age axis when F has an age output', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'axes-age-')), 'axes.json');
    const r = spawnSync('node_modules/.bin/tsx', ['src/cli/axes.ts', '--models-dir', AGE_FIXTURES, '--samples', '400', '--calibration-seeds', '4', '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/age axis: [\d.]+ years per unit/);
    expect(AxisSet.fromFile(out).age).toBeDefined();
  });
});

describe("the shipped F's age head", () => {
  // Two batches of faces with the same luminance (Rec. 601) and different colour: a grey head reads the same years
  // for both (a head that read skin tint as years let the loop age a face by its colour, which the judge cannot see).
  const size = 64;
  const faces = (tint: number) =>
    Float32Array.from({ length: 2 * 3 * size * size }, (_, i) => {
      const face = Math.floor(i / (3 * size * size));
      const channel = Math.floor(i / (size * size)) % 3;
      const pixel = i % (size * size);
      const grey = 0.5 * Math.sin(pixel * 0.05 + face) * Math.cos(pixel * 0.013);
      // (0.587, -0.299, 0) has no luminance: 0.299 * 0.587 - 0.587 * 0.299 = 0
      return grey + tint * [0.587, -0.299, 0][channel]! * (0.5 + 0.5 * Math.sin(pixel * 0.007));
    });

  it('reads the luminance only: a change of colour alone does not move it, a change of light does', async () => {
    const f = await Classifier.load(path.resolve('models/classifier.onnx'), 'cpu');
    try {
      expect(f.hasAge).toBe(true);
      const read = async (data: Float32Array) => Array.from((await f.read({ data, count: 2, size })).ages!);
      const plain = await read(faces(0));
      const tinted = await read(faces(0.4));
      for (const [i, years] of plain.entries()) expect(Math.abs(tinted[i]! - years)).toBeLessThan(0.05);
      const darker = await read(faces(0).map((v) => v * 0.5 - 0.3));
      expect(Math.max(...darker.map((y, i) => Math.abs(y - plain[i]!)))).toBeGreaterThan(0.05);
    } finally {
      await f.close();
    }
  });
});
