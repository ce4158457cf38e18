import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, attributeIndex, type AttributeName } from '../src/face/attributes.js';
import { AxisSet, type AgeAxis, type Axis } from '../src/latent/axes.js';
import { faceLatent } from '../src/latent/edit.js';
import type { Edit } from '../src/face/record.js';
import {
  AGE_TOL, HOLD_P, holdBand, LEVEL_LOGIT, MAX_PASSES, STEP_LOGIT, steerFace, type FaceReading,
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
const faceLatentOf = (r: { z: Float32Array }) => r.z;

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
    const p = (x: number) => 1 / (1 + Math.exp(-x));
    const goatee = (seed: number) => ({ seed, edits: [edit({ Goatee: 1 }, 'step')] });
    const openDrift = async (seed: number) =>
      Math.abs(p(logit(await readOne(faceLatent(goatee(seed), axes)), 'Male')) - p(logit(await readOne(faceLatent({ seed, edits: [] }, axes)), 'Male')));
    // seeds where the linear move leaks past the band (on a face F reads as surely a man it cannot)
    const seeds: number[] = [];
    for (let seed = 1; seed <= 60 && seeds.length < 5; seed++) if ((await openDrift(seed)) > HOLD_P) seeds.push(seed);
    expect(seeds).toHaveLength(5);
    for (const seed of seeds) {
      const face = goatee(seed);
      const before = await readOne(faceLatent({ seed, edits: [] }, axes));
      const closed = await steerFace(face, axes, worldReader({ n: 0 }));
      const drift = (r: FaceReading) => Math.abs(p(logit(r, 'Male')) - p(logit(before, 'Male')));
      expect(drift(closed.reading)).toBeLessThanOrEqual(HOLD_P + 1e-6);
      expect(logit(closed.reading, 'Goatee') - logit(before, 'Goatee')).toBeGreaterThanOrEqual(STEP_LOGIT - 1e-6);
    }
  });

  it('keeps a hold G cannot keep alongside the goal by giving less of the goal, and says the goal was missed', async () => {
    // here F reads Male from the goatee alone (3 logits per unit) and the Male axis does nothing: no
    // correction can hold Male while the goatee grows, so only a smaller goatee keeps the gender
    const world = (calls: { n: number }) => async (zs: Float32Array[]): Promise<FaceReading[]> => {
      const rs = await worldReader(calls)(zs);
      return rs.map((r, i) => {
        const logits = Float32Array.from(r.logits);
        logits[coordOf('Male')] = 3 * zs[i]![coordOf('Goatee')]!;
        return { ...r, logits };
      });
    };
    const goateeAt = (seed: number) => dot(faceLatent({ seed, edits: [] }, axes), basis(coordOf('Goatee')));
    const seeds = Array.from({ length: 40 }, (_, i) => i + 1).filter((s) => goateeAt(s) < 0).slice(0, 3);
    expect(seeds).toHaveLength(3);
    for (const seed of seeds) {
      const face = { seed, edits: [edit({ Goatee: 1 })] };
      const before = await readOne(faceLatent({ seed, edits: [] }, axes));
      const startMale = 3 * dot(faceLatent({ seed, edits: [] }, axes), basis(coordOf('Goatee')));
      const open = faceLatent(face, axes);
      const calls = { n: 0 };
      const r = await steerFace(face, axes, world(calls));
      const male = logit(r.reading, 'Male');
      const openMale = 3 * dot(open, basis(coordOf('Goatee')));
      expect(Math.abs(openMale - startMale)).toBeGreaterThan(1);
      expect(Math.abs(male - startMale)).toBeLessThan(Math.abs(openMale - startMale));
      // some goatee was still added, and the reply is told the goatee fell short
      expect(logit(r.reading, 'Goatee')).toBeGreaterThan(logit(before, 'Goatee'));
      expect(r.shortfalls.map((s) => s.name)).toContain('Goatee');
      expect(r.shortfalls.find((s) => s.name === 'Goatee')!.heldBack).toEqual(['Male']);
      expect(r.passes).toBe(calls.n);
      expect(calls.n).toBeLessThanOrEqual(3 + MAX_PASSES);
    }
  });

  it('lets a gender the words ask for move the age the engine holds, but not an age the user locked', async () => {
    // here G can only make a face a man by making it older (6 years per unit of Male), and the age axis does nothing
    const world = (calls: { n: number }) => async (zs: Float32Array[]): Promise<FaceReading[]> =>
      (await worldReader(calls)(zs)).map((r, i) => ({ ...r, age: 35 + 6 * zs[i]![coordOf('Male')]! }));
    const maleAt = (seed: number) => dot(faceLatent({ seed, edits: [] }, axes), basis(coordOf('Male')));
    const seed = Array.from({ length: 60 }, (_, i) => i + 1).find((s) => maleAt(s) < -1)!;
    expect(seed).toBeDefined();
    const asked = await steerFace({ seed, edits: [edit({ Male: 1 })] }, axes, world({ n: 0 }));
    expect(logit(asked.reading, 'Male')).toBeGreaterThanOrEqual(LEVEL_LOGIT - 1e-6);
    expect(asked.shortfalls).toEqual([]);
    const locked = await steerFace({ seed, edits: [edit({ Male: 1 }, 'target', { locks: ['Young'] })] }, axes, world({ n: 0 }));
    const startAge = 35 + 6 * maleAt(seed);
    expect(Math.abs(locked.reading.age! - startAge)).toBeLessThan(Math.abs(asked.reading.age! - startAge));
    expect(locked.shortfalls.map((x) => x.name)).toContain('Male');
  });

  it('holds in probability: tight where F is unsure, loose in logit where it is sure', () => {
    const p = (x: number) => 1 / (1 + Math.exp(-x));
    const centre = holdBand(0);
    expect(p(centre.hi) - 0.5).toBeCloseTo(HOLD_P, 6);
    expect(0.5 - p(centre.lo)).toBeCloseTo(HOLD_P, 6);
    const sure = holdBand(5); // p 0.993: anything from p - HOLD_P up is held
    expect(sure.hi).toBe(Infinity);
    expect(p(sure.lo)).toBeCloseTo(p(5) - HOLD_P, 6);
    expect(5 - sure.lo).toBeGreaterThan(1);
    expect(holdBand(-5).lo).toBe(-Infinity);
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

  it("says when G draws the missed goal on the other gender only (the axis's calibration split)", async () => {
    // hats reliable on women only; the face's gender is F's reading of it before the edit
    const split = (women: number, men: number) =>
      AxisSet.fromAxes(D, axes.names().map((n) => {
        const a = axes.require(n);
        return n === 'Wearing_Hat' ? { ...a, successByGender: { women, men } } : a;
      }), axes.age);
    const seedAs = async (man: boolean) => {
      for (let seed = 1; seed < 50; seed++) {
        const r = await steerFace({ seed, edits: [] }, axes, worldReader({ n: 0 }));
        if ((logit(r.reading, 'Male') >= 0) === man) return seed;
      }
      throw new Error('no seed of that gender');
    };
    const hat = async (seed: number, set: AxisSet) =>
      (await steerFace({ seed, edits: [edit({ Wearing_Hat: 1 })] }, set, worldReader({ n: 0 }))).shortfalls[0]!;
    const man = await seedAs(true);
    const woman = await seedAs(false);
    expect((await hat(man, split(0.9, 0.1))).drawnOn).toBe('women');
    expect((await hat(woman, split(0.1, 0.9))).drawnOn).toBe('men');
    // the words ask for the other gender: the face the edit gives is the one that counts
    const womanHat = (await steerFace({ seed: man, edits: [edit({ Male: -1, Wearing_Hat: 1 })] }, split(0.1, 0.9), worldReader({ n: 0 })));
    expect(logit(womanHat.reading, 'Male')).toBeLessThan(0);
    expect(womanHat.shortfalls.find((s) => s.name === 'Wearing_Hat')!.drawnOn).toBe('men');
    // the face is of the gender it works on (still missed here), or neither gender reaches the line: not said
    expect((await hat(woman, split(0.9, 0.1))).drawnOn).toBeUndefined();
    expect((await hat(man, split(0.5, 0.5))).drawnOn).toBeUndefined();
  });

  it("edits a face along its own gender's direction when axes.json has one (byGender)", async () => {
    // men's eyebrows answer to coordinate 45 only, women's to the axis: the population's axis fails on men
    const FREE = 45;
    const brows = coordOf('Bushy_Eyebrows');
    const reader = (calls: { n: number }) => async (zs: Float32Array[]) =>
      (await worldReader(calls)(zs)).map((r, i) => {
        const man = r.logits[coordOf('Male')]! >= 0;
        r.logits[brows] = 2 * zs[i]![man ? FREE : brows]!;
        return r;
      });
    const gendered = AxisSet.fromAxes(D, axes.names().map((n) => {
      const a = axes.require(n);
      return n === 'Bushy_Eyebrows' ? { ...a, byGender: { women: { vector: basis(brows), gain: 2, center: 0 }, men: { vector: basis(FREE), gain: 2, center: 0 } } } : a;
    }), axes.age);
    const seedAs = async (man: boolean) => {
      for (let seed = 1; seed < 50; seed++) {
        const r = await steerFace({ seed, edits: [] }, axes, reader({ n: 0 }));
        if ((logit(r.reading, 'Male') >= 0) === man && logit(r.reading, 'Bushy_Eyebrows') < LEVEL_LOGIT) return seed;
      }
      throw new Error('no seed of that gender');
    };
    const man = await seedAs(true);
    const woman = await seedAs(false);
    const brow = (seed: number, set: AxisSet, e = edit({ Bushy_Eyebrows: 1 })) => steerFace({ seed, edits: [e] }, set, reader({ n: 0 }));
    expect(logit((await brow(man, gendered)).reading, 'Bushy_Eyebrows')).toBeGreaterThanOrEqual(LEVEL_LOGIT - 1e-6);
    expect((await brow(man, gendered)).shortfalls).toEqual([]);
    expect((await brow(man, axes)).shortfalls.map((s) => s.name)).toEqual(['Bushy_Eyebrows']);
    // a woman's face takes the women's direction (here the axis itself): the same face either way
    expect(Array.from(faceLatentOf(await brow(woman, gendered)))).toEqual(Array.from(faceLatentOf(await brow(woman, axes))));
    // the words ask for a gender: the population's axis, as without byGender
    const both = edit({ Male: 1, Bushy_Eyebrows: 1 });
    expect(Array.from(faceLatentOf(await brow(man, gendered, both)))).toEqual(Array.from(faceLatentOf(await brow(man, axes, both))));
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

  describe('with a surrogate (a local model of F(G(z)))', () => {
    /**
     * A world where bangs rise along +z_bangs on faces with z_pivot > 0 and along -z_bangs on the others: the
     * axis (+z_bangs) is right for half the faces and backwards for the rest, as G's real response turns
     * from face to face. Male rises a little with |z_bangs| on the second half (a leak the axes miss too).
     */
    const k = coordOf('Bangs');
    const PIVOT = 45;
    const bangs = (z: Float32Array) => 4 * Math.tanh(2 * z[PIVOT]!) * z[k]!;
    const turning = async (zs: Float32Array[]): Promise<FaceReading[]> => (await worldReader({ n: 0 })(zs)).map((r, i) => {
      const logits = Float32Array.from(r.logits);
      logits[k] = bangs(zs[i]!);
      return { ...r, logits };
    });
    /** The exact gradient of the world, times `scale` (an imperfect surrogate: the loop learns the ratio). */
    const exact = (scale: number) => ({
      zDim: D,
      gradients: (z: Float32Array, names: readonly string[]) => names.map((n) => {
        const g = new Float32Array(D);
        if (n === 'Bangs') {
          const t = Math.tanh(2 * z[PIVOT]!);
          g[k] = 4 * t * scale;
          g[PIVOT] = 8 * (1 - t * t) * z[k]! * scale;
          return g;
        }
        if (n === 'Age') {
          g[AGE_COORD] = 6 * scale;
          return g;
        }
        const c = (ATTRIBUTES as readonly string[]).indexOf(n);
        if (c < 0) return undefined;
        g[c] = (n === 'Eyeglasses' ? 0.8 : 2) * scale;
        if (n === 'Male') g[coordOf('Goatee')] = 1.5 * scale;
        return g;
      }),
    });
    // seeds whose face has z_pivot clearly below 0: the axis points the wrong way there
    const backwards = Array.from({ length: 400 }, (_, i) => 1000 + i)
      .filter((seed) => faceLatent({ seed, edits: [] }, axes)[PIVOT]! < -0.4).slice(0, 25);
    const reached = async (set: AxisSet) => {
      let n = 0;
      for (const seed of backwards) {
        const r = await steerFace({ seed, edits: [edit({ Bangs: 1 })] }, set, turning);
        if (bangs(r.z) >= LEVEL_LOGIT - 1e-6) n++;
      }
      return n / backwards.length;
    };

    it('reaches a goal along each face\'s own direction where the axis points the wrong way', async () => {
      expect(backwards.length).toBe(25);
      expect(await reached(axes)).toBeLessThan(0.2);
      expect(await reached(axes.withSurrogate(exact(1)))).toBeGreaterThan(0.9);
    });

    it('learns how far off the surrogate\'s slope is, and still reaches the goal', async () => {
      expect(await reached(axes.withSurrogate(exact(2.5)))).toBeGreaterThan(0.9);
    });

    it('still holds the gender and age, and leaves the rest of the face, with the surrogate', async () => {
      const p = (x: number) => 1 / (1 + Math.exp(-x));
      for (const seed of backwards.slice(0, 8)) {
        const before = (await turning([faceLatent({ seed, edits: [] }, axes)]))[0]!;
        const r = await steerFace({ seed, edits: [edit({ Bangs: 1 })] }, axes.withSurrogate(exact(1)), turning);
        expect(Math.abs(p(logit(r.reading, 'Male')) - p(logit(before, 'Male')))).toBeLessThanOrEqual(HOLD_P + 1e-6);
        expect(Math.abs(r.reading.age! - before.age!)).toBeLessThanOrEqual(4 + 1e-6);
        expect(Math.abs(logit(r.reading, 'Smiling') - logit(before, 'Smiling'))).toBeLessThan(0.5);
      }
    });

    it('refuses a surrogate for another size of z', () => {
      expect(() => axes.withSurrogate({ zDim: D + 1, gradients: () => [] })).toThrow(/z of 49 numbers/);
    });
  });
});

