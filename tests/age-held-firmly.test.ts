import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, type AttributeName } from '../src/face/attributes.js';
import type { Edit } from '../src/face/record.js';
import { AxisSet, type AgeAxis, type Axis } from '../src/latent/axes.js';
import { applyEdit, holdsAgeFirmly, linearAge } from '../src/latent/edit.js';
import { checksFor } from '../src/latent/goal-checks.js';

/**
 * "an east asian woman": F's age head reads the East_Asian direction as years younger, so edits that ask for an
 * appearance of HOLDS_AGE_FIRMLY hold the age firmly (src/latent/edit.ts). A tiny world: each of the 40 has a
 * coordinate of a 48-d z, the age head reads coordinate 44, and the East_Asian and White probes' axes lean on it
 * alike (their step along the axis costs years), so only the appearance named there is held off it.
 */
const D = 48;
const AGE_K = 44;
const basis = (i: number) => Float32Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
const leaning = (k: number) => {
  const v = basis(k);
  v[AGE_K] = -0.6;
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};
const axis = (name: string, vector: Float32Array): Axis => ({
  name: name as AttributeName, vector, center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5,
  controllable: true, successRate: 0.9, gain: 2,
});
const age: AgeAxis = { vector: basis(AGE_K), intercept: 40, slope: 10, coordMean: 0, coordStd: 1, r2: 0.8, mae: 4, ageMean: 40, ageStd: 10 };
const axes = AxisSet.fromAxes(D, [
  ...ATTRIBUTES.map((n, k) => axis(n, basis(k))),
  axis('East_Asian', leaning(42)), axis('White', leaning(43)), axis('Black', leaning(41)),
], age);
const edit = (weights: Record<string, number>, extra: Partial<Edit> = {}): Edit => ({
  text: 'words', weights: weights as Edit['weights'], mode: Object.fromEntries(Object.keys(weights).map((n) => [n, 'target'])) as Edit['mode'],
  locks: [], ...extra,
});

const eastAsianWoman = edit({ Male: -1, East_Asian: 1.5 });
const whiteWoman = edit({ Male: -1, White: 1.5 });
const woman = edit({ Male: -1 });

describe('an appearance F\'s age head reads as years holds the age firmly', () => {
  it('knows which edits hold the age firmly: an appearance of the set, and no age asked', () => {
    expect(holdsAgeFirmly(eastAsianWoman)).toBe(true);
    expect(holdsAgeFirmly(edit({ Male: 1, Black: 1.5 }))).toBe(true);
    expect(holdsAgeFirmly(woman)).toBe(false);
    expect(holdsAgeFirmly(whiteWoman)).toBe(false);
    expect(holdsAgeFirmly(edit({ Male: -1, East_Asian: 1.5, Young: 1 }))).toBe(false); // "a young asian woman"
    expect(holdsAgeFirmly(edit({ Male: -1, East_Asian: 1.5 }, { age: { mode: 'atLeast', years: 53 } }))).toBe(false);
    expect(holdsAgeFirmly(edit({ Male: -1, East_Asian: 0 }))).toBe(false);
  });

  it('the open-loop move keeps the age head\'s linear age for "an east asian woman", not for "a white woman"', () => {
    const z = new Float32Array(D);
    const years = (e: Edit) => linearAge(applyEdit(z, e, axes, new Set()), age);
    expect(years(eastAsianWoman)).toBeCloseTo(40, 4);
    expect(years(whiteWoman)).toBeLessThan(40 - 3); // the same lean, not held off the age head's axis
    // the appearance still moves: its own coordinate rises
    expect(applyEdit(z, eastAsianWoman, axes, new Set())[42]!).toBeGreaterThan(1);
  });

  it('the loop\'s age hold is firm for "an east asian woman", soft for "a woman" (the words ask a gender)', () => {
    const before = { logits: new Float32Array(ATTRIBUTES.length), added: { East_Asian: 0, White: 0, Black: 0 } as never, age: 35 };
    const ageHold = (e: Edit) => checksFor(e, before, axes, new Set(), {}).find((c) => c.kind === 'hold' && c.name === 'Age')!;
    expect(ageHold(eastAsianWoman).soft).toBe(false);
    expect(ageHold(woman).soft).toBe(true);
    expect(ageHold(whiteWoman).soft).toBe(true);
    expect(ageHold(eastAsianWoman).lo).toBeCloseTo(35 - 4, 6);
  });
});
