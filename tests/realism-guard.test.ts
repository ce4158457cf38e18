import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, attributeIndex } from '../src/face/attributes.js';
import { AxisSet, type Axis } from '../src/latent/axes.js';
import type { Edit } from '../src/face/record.js';
import { LEVEL_LOGIT, steerFace, type FaceReading } from '../src/latent/steer.js';
import { lessReal, REALISM_LIMIT } from '../src/latent/realism-guard.js';
import { RealismModel } from '../src/latent/realism.js';
import { shortfallText } from '../src/conversation/wording.js';

/**
 * A tiny world: every attribute on its own coordinate of a 48-d z (F's logit 2·z_k), glasses at 0.8 per unit.
 * Past one unit of glasses G's face breaks: the realism distance rises with the square of the excess, as a
 * smear that F still reads as sunglasses would.
 */
const D = 48;
const GLASSES = attributeIndex('Eyeglasses');
const basis = (i: number) => Float32Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
const axes = AxisSet.fromAxes(D, ATTRIBUTES.map((name, k): Axis => ({
  name, vector: basis(k), center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5, controllable: true, successRate: 0.9, gain: 2,
})));
const breaks = (z: Float32Array) => 0.7 + 3 * Math.max(0, z[GLASSES]! - 1) ** 2;

function world(withRealism: boolean) {
  return async (zs: Float32Array[]): Promise<FaceReading[]> => zs.map((z) => {
    const logits = Float32Array.from(ATTRIBUTES, (_, k) => 2 * z[k]!);
    logits[GLASSES] = 0.8 * z[GLASSES]!;
    return { logits, ...(withRealism ? { realism: breaks(z) } : {}) };
  });
}

const withGlasses: Edit = { text: 'with glasses', weights: { Eyeglasses: 1 }, mode: { Eyeglasses: 'target' }, locks: [] };
// seeds whose face starts without glasses, so the goal (logit 1.5 = 1.9 units) lies past where the face breaks
const seeds = Array.from({ length: 60 }, (_, i) => 300 + i);

describe('the realism guard in the closed loop', () => {
  it('does not take a pass that makes the face clearly less real, and says the words asked for more than it can draw', async () => {
    let guarded = 0;
    for (const seed of seeds.slice(0, 12)) {
      const open = await steerFace({ seed, edits: [withGlasses] }, axes, world(false));
      const before = (await world(true)([(await steerFace({ seed, edits: [] }, axes, world(true))).z]))[0]!;
      const r = await steerFace({ seed, edits: [withGlasses] }, axes, world(true));
      if (!lessReal({ ...open.reading, realism: breaks(open.z) }, before)) continue; // the goal is drawable on this face
      guarded++;
      // without the guard the loop reaches F's goal with a broken face; with it, it stops where the face still looks real
      expect(open.reading.logits[GLASSES]).toBeGreaterThanOrEqual(LEVEL_LOGIT - 1e-6);
      expect(r.reading.realism!).toBeLessThanOrEqual(REALISM_LIMIT);
      expect(r.reading.logits[GLASSES]).toBeGreaterThan(before.logits[GLASSES]!); // part of the edit is kept
      expect(r.shortfalls).toEqual([expect.objectContaining({ name: 'Eyeglasses', unreal: true })]);
      expect(shortfallText(r.shortfalls[0]!)).toMatch(/glasses: more than this model can draw on this face/);
    }
    expect(guarded).toBeGreaterThanOrEqual(6);
  });

  it('leaves an edit alone when the face stays real', async () => {
    const smile: Edit = { text: 'smiling', weights: { Smiling: 1 }, mode: { Smiling: 'target' }, locks: [] };
    for (const seed of seeds.slice(0, 6)) {
      const plain = await steerFace({ seed, edits: [smile] }, axes, world(false));
      const r = await steerFace({ seed, edits: [smile] }, axes, world(true));
      expect(Array.from(r.z)).toEqual(Array.from(plain.z));
      expect(r.shortfalls).toEqual([]);
    }
  });
});

describe('the realism model (a density of real faces in F\'s features)', () => {
  // 4-d features, two principal directions with variances 4 and 1, the rest 0.25 each
  const model = new RealismModel({
    version: 1, dim: 4, k: 2, mean: [1, 0, 0, 0], components: [[0, 1, 0, 0], [0, 0, 1, 0]], variances: [4, 1], residual: 0.25,
    calibration: { heldOut: { '50': 0.9 } },
  });

  it('scores the Mahalanobis distance² per dimension: 0 at the mean, more along the narrow directions', () => {
    expect(model.distance([1, 0, 0, 0])).toBeCloseTo(0, 12);
    expect(model.distance([1, 2, 0, 0])).toBeCloseTo(1 / 4, 12); // 2² / 4 / dim
    expect(model.distance([1, 0, 0, 2])).toBeCloseTo(4 / 0.25 / 4, 12);
    expect(model.distance([9, 9, 1, 0, 0, 0], 2)).toBeCloseTo(0, 12); // offset into a row-major batch
    expect(model.heldOut(50)).toBe(0.9);
  });

  it('refuses a file whose shapes do not agree', () => {
    expect(() => new RealismModel({ version: 1, dim: 4, k: 2, mean: [0, 0, 0], components: [[0, 1, 0, 0], [0, 0, 1, 0]], variances: [4, 1], residual: 1, calibration: { heldOut: {} } }))
      .toThrow(/mean has 3 numbers/);
  });
});
