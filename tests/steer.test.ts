import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, attributeIndex, type AttributeName } from '../src/face/attributes.js';
import { AxisSet, type AgeAxis, type Axis } from '../src/latent/axes.js';
import { faceLatent } from '../src/latent/edit.js';
import type { Edit } from '../src/face/record.js';
import {
  AGE_TOL, HOLD_LOGIT, LEVEL_LOGIT, MAX_PASSES, STEP_LOGIT, steerFace, type FaceReading,
} from '../src/latent/steer.js';
import { dot } from '../src/latent/vector.js';

/** Every attribute on its own coordinate of a 48-d z; the age axis on coordinate 44. */
const D = 48;
const AGE_COORD = 44;
const basis = (i: number) => Float32Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
const coordOf = (name: AttributeName) => attributeIndex(name);

function makeAxes(withAge = true): AxisSet {
  const axes: Axis[] = ATTRIBUTES.map((name, k) => ({
    name, vector: basis(k), center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5,
    controllable: true, successRate: 0.9, gain: 2,
  }));
  const age: AgeAxis = {
    vector: basis(AGE_COORD), intercept: 35, slope: 10, coordMean: 0, coordStd: 1, r2: 0.5, mae: 5, ageMean: 35, ageStd: 10,
  };
  return AxisSet.fromAxes(D, axes, withAge ? age : undefined);
}

/**
 * A world where the linear axes are only roughly right, as with a real G and F:
 * - glasses answer at 0.8 logit per unit, not the 2 the axes claim (the linear move falls short);
 * - Male also rises with the goatee coordinate (a leak the axes do not know about);
 * - hats never get past logit 0.5 (G cannot draw them);
 * - age rises 6 years per unit, not 10, and stops at 75.
 */
function worldReader(calls: { n: number }) {
  return async (zs: Float32Array[]): Promise<FaceReading[]> => {
    calls.n++;
    return zs.map((z) => {
      const logits = new Float32Array(40);
      ATTRIBUTES.forEach((name, k) => (logits[k] = 2 * z[k]!));
      logits[coordOf('Eyeglasses')] = 0.8 * z[coordOf('Eyeglasses')]!;
      logits[coordOf('Male')] = 2 * z[coordOf('Male')]! + 1.5 * z[coordOf('Goatee')]!;
      logits[coordOf('Wearing_Hat')] = Math.min(0.5, 2 * z[coordOf('Wearing_Hat')]!);
      return { logits, age: Math.min(75, 35 + 6 * z[AGE_COORD]!) };
    });
  };
}

function edit(weights: Edit['weights'], mode: 'target' | 'step' = 'target', extra: Partial<Edit> = {}): Edit {
  return {
    text: 'test', weights, locks: [],
    mode: Object.fromEntries(Object.keys(weights).map((k) => [k, mode])) as Edit['mode'], ...extra,
  };
}

async function readOne(z: Float32Array): Promise<FaceReading> {
  return (await worldReader({ n: 0 })([z]))[0]!;
}

const logit = (r: FaceReading, name: AttributeName) => r.logits[attributeIndex(name)]!;

describe('closed-loop edits (steer.ts)', () => {
  const axes = makeAxes();

  it('reaches a target that the linear move alone falls short of', async () => {
    const face = { seed: 11, edits: [edit({ Eyeglasses: 1 })] };
    const open = await readOne(faceLatent(face, axes));
    expect(logit(open, 'Eyeglasses')).toBeLessThan(LEVEL_LOGIT);
    const closed = await steerFace(face, axes, worldReader({ n: 0 }));
    expect(logit(closed.reading, 'Eyeglasses')).toBeGreaterThanOrEqual(LEVEL_LOGIT - 1e-6);
    expect(closed.shortfalls).toEqual([]);
  });

  it('holds a locked attribute by measuring it, where the linear projection lets it leak', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const face = { seed, edits: [edit({ Goatee: 1 }, 'step')] };
      const before = await readOne(faceLatent({ seed, edits: [] }, axes));
      const open = await readOne(faceLatent(face, axes));
      const closed = await steerFace(face, axes, worldReader({ n: 0 }));
      const drift = (r: FaceReading) => Math.abs(logit(r, 'Male') - logit(before, 'Male'));
      expect(drift(open)).toBeGreaterThan(HOLD_LOGIT);
      expect(drift(closed.reading)).toBeLessThanOrEqual(HOLD_LOGIT + 1e-6);
      expect(logit(closed.reading, 'Goatee') - logit(before, 'Goatee')).toBeGreaterThanOrEqual(STEP_LOGIT - 1e-6);
    }
  });

  it('says which goal it could not reach, and stops within its passes', async () => {
    const calls = { n: 0 };
    const r = await steerFace({ seed: 3, edits: [edit({ Wearing_Hat: 1 })] }, axes, worldReader(calls));
    expect(r.shortfalls.map((s) => s.name)).toEqual(['Wearing_Hat']);
    expect(r.shortfalls[0]!.direction).toBe('up');
    expect(r.shortfalls[0]!.reached).toBeLessThanOrEqual(0.5);
    expect(calls.n).toBeLessThanOrEqual(2 + MAX_PASSES);
    expect(r.passes).toBe(calls.n);
  });

  it('steps relative to the face before the edit', async () => {
    const base = await steerFace({ seed: 7, edits: [edit({ Smiling: -1 })] }, axes, worldReader({ n: 0 }));
    const more = await steerFace({ seed: 7, edits: [edit({ Smiling: -1 }), edit({ Smiling: 0.6 }, 'step')] }, axes, worldReader({ n: 0 }));
    expect(logit(more.reading, 'Smiling') - logit(base.reading, 'Smiling')).toBeGreaterThanOrEqual(STEP_LOGIT * 0.6 - 1e-6);
  });

  it('sets an age in years, moves it by years, and says when an age is out of reach', async () => {
    // the axes claim 10 years per unit, the world gives 6: the linear move lands short, the loop does not
    const sixty = { seed: 5, edits: [edit({ Young: -1.6 }, 'target', { age: { mode: 'exact' as const, years: 60 } })] };
    expect((await readOne(faceLatent(sixty, axes))).age!).toBeLessThan(60 - AGE_TOL);
    const steered = await steerFace(sixty, axes, worldReader({ n: 0 }));
    expect(Math.abs(steered.reading.age! - 60)).toBeLessThanOrEqual(AGE_TOL);
    expect(steered.shortfalls).toEqual([]);

    const older = await steerFace({
      seed: 5,
      edits: [edit({ Young: 1 }, 'target', { age: { mode: 'exact', years: 30 } }), edit({ Young: -0.8 }, 'step', { age: { mode: 'step', years: 10 } })],
    }, axes, worldReader({ n: 0 }));
    expect(older.reading.age!).toBeGreaterThan(36);
    expect(older.reading.age!).toBeLessThan(44);

    const ninety = await steerFace({ seed: 5, edits: [edit({ Young: -2 }, 'target', { age: { mode: 'exact', years: 90 } })] }, axes, worldReader({ n: 0 }));
    expect(ninety.shortfalls.map((s) => s.name)).toEqual(['Age']);
    expect(ninety.reading.age!).toBeGreaterThan(60);
  });

  it('holds the age in years when an edit does not name it', async () => {
    const face = { seed: 9, edits: [edit({ Smiling: 1 })] };
    const before = await readOne(faceLatent({ seed: 9, edits: [] }, axes));
    const r = await steerFace(face, axes, worldReader({ n: 0 }));
    expect(Math.abs(r.reading.age! - before.age!)).toBeLessThanOrEqual(3);
  });

  it('uses Young, not an age axis, when the models have none', async () => {
    const noAge = makeAxes(false);
    const r = await steerFace({ seed: 5, edits: [edit({ Young: -1 }, 'target', { age: { mode: 'atLeast', years: 53 } })] }, noAge, worldReader({ n: 0 }));
    expect(logit(r.reading, 'Young')).toBeLessThanOrEqual(-LEVEL_LOGIT + 1e-6);
    expect(dot(r.z, basis(AGE_COORD))).toBeCloseTo(dot(faceLatent({ seed: 5, edits: [] }, noAge), basis(AGE_COORD)), 5);
  });

  it('replays the same latent every time', async () => {
    const face = { seed: 21, edits: [edit({ Eyeglasses: 1, Goatee: 1 }), edit({ Smiling: 0.6 }, 'step')] };
    const a = await steerFace(face, axes, worldReader({ n: 0 }));
    const b = await steerFace(face, axes, worldReader({ n: 0 }));
    expect(Array.from(a.z)).toEqual(Array.from(b.z));
  });
});
