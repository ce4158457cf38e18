import { describe, expect, it } from 'vitest';
import { ATTRIBUTES } from '../src/face/attributes.js';
import type { Edit } from '../src/face/record.js';
import { AxisSet, type Axis } from '../src/latent/axes.js';
import { applyEdit, asksOlder, levelWeight, OLDER_GENDER_FIRMNESS } from '../src/latent/edit.js';
import { checksFor, LEVEL_LOGIT } from '../src/latent/goal-checks.js';
import { goalLine, goalsSet } from '../src/latent/held-checks.js';
import { searchGoals } from '../src/latent/seed-search.js';
import { dot } from '../src/latent/vector.js';

/**
 * "an old woman": G drew its old faces from CelebA's, mostly men's, so the gender target of words that ask for an
 * older face is set firmer (src/latent/edit.ts, OLDER_GENDER_FIRMNESS), everywhere a target's level is set.
 */
const D = 8;
const basis = (i: number) => Float32Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
const axes = AxisSet.fromAxes(D, ATTRIBUTES.map((name, k): Axis => ({
  name, vector: basis(name === 'Male' ? 0 : name === 'Young' ? 1 : 2 + (k % (D - 2))),
  center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5, controllable: true, successRate: 0.9,
})));

function edit(weights: Edit['weights'], extra: Partial<Edit> = {}, mode: 'target' | 'step' = 'target'): Edit {
  return { text: '', weights, mode: Object.fromEntries(Object.keys(weights).map((k) => [k, mode])) as Edit['mode'], locks: [], ...extra };
}

const oldWoman = edit({ Male: -1, Young: -1 });
const woman = edit({ Male: -1 });
const youngWoman = edit({ Male: -1, Young: 1 });

describe('a gender asked with an older face is asked more clearly', () => {
  it('knows which words ask for an older face', () => {
    expect(asksOlder(oldWoman)).toBe(true);
    expect(asksOlder(woman)).toBe(false);
    expect(asksOlder(youngWoman)).toBe(false);
    expect(asksOlder(edit({ Male: 1 }, { age: { mode: 'exact', years: 70 } }))).toBe(true);
    expect(asksOlder(edit({ Male: 1 }, { age: { mode: 'exact', years: 25 } }))).toBe(false);
    expect(asksOlder(edit({ Male: 1 }, { age: { mode: 'step', years: 10 } }))).toBe(true);
    expect(asksOlder(edit({ Male: 1 }, { age: { mode: 'atMost', years: 27 } }))).toBe(false);
    expect(asksOlder(edit({ Male: 1, Young: -0.6 }, {}, 'step'))).toBe(true); // "less young", no years
    // as the words set them: "older" is 15 years more; "a 38 year old" sets Young a little down, the years decide
    expect(asksOlder(edit({ Male: 1, Young: -0.6 }, { age: { mode: 'step', years: 15 } }))).toBe(true);
    expect(asksOlder(edit({ Male: -1, Young: -0.1 }, { age: { mode: 'exact', years: 38 } }))).toBe(false);
    expect(asksOlder(edit({ Male: -1, Young: -1 }, { age: { mode: 'atLeast', years: 53 } }))).toBe(true);
    expect(asksOlder(edit({ Male: 1, Young: 0.6 }, { age: { mode: 'step', years: -15 } }))).toBe(false);
  });

  it('sets only the gender target firmer: not a gender step, not other targets', () => {
    expect(levelWeight(oldWoman, 'Male', -1)).toBe(-OLDER_GENDER_FIRMNESS);
    expect(levelWeight(oldWoman, 'Young', -1)).toBe(-1);
    expect(levelWeight(woman, 'Male', -1)).toBe(-1);
    const feminineOlder = { ...edit({ Male: -1, Young: -0.6 }, {}, 'step') };
    expect(levelWeight(feminineOlder, 'Male', -1)).toBe(-1); // "more feminine, older": a step from the face
  });

  it('the open-loop move lands further for an old woman than for a woman or a young woman', () => {
    const z = new Float32Array(D); // the seed reads neither way: every target moves it
    const male = (e: Edit) => dot(applyEdit(z, e, axes, new Set()), basis(0));
    expect(male(woman)).toBeCloseTo(-1, 4);
    expect(male(youngWoman)).toBeCloseTo(-1, 4);
    expect(male(oldWoman)).toBeCloseTo(-OLDER_GENDER_FIRMNESS, 4);
  });

  it('the loop and the seed search ask F for the same firmer level', () => {
    const before = { logits: new Float32Array(ATTRIBUTES.length) };
    const goalHi = (e: Edit) => checksFor(e, before, axes, new Set(), {}).find((c) => c.kind === 'goal' && c.name === 'Male')!.hi;
    expect(goalHi(woman)).toBeCloseTo(-LEVEL_LOGIT, 6);
    expect(goalHi(oldWoman)).toBeCloseTo(-LEVEL_LOGIT * OLDER_GENDER_FIRMNESS, 6);
    const searchHi = (e: Edit) => searchGoals([e], axes).find((g) => g.name === 'Male')!.hi;
    expect(searchHi(woman)).toBeCloseTo(-LEVEL_LOGIT, 6);
    expect(searchHi(oldWoman)).toBeCloseTo(-LEVEL_LOGIT * OLDER_GENDER_FIRMNESS, 6);
  });

  it('a later edit holds the gender at the words\' own level: "make him younger" is not held to the old face\'s line', () => {
    const before = { logits: new Float32Array(ATTRIBUTES.length) };
    const held = goalsSet(oldWoman).find((g) => g.name === 'Male')!;
    expect(held.weight).toBe(-1);
    expect(goalLine(held, axes, before)!.hi).toBeCloseTo(-LEVEL_LOGIT, 6);
  });
});
