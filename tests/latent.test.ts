import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, type AttributeName } from '../src/face/attributes.js';
import { AxisSet, type Axis } from '../src/latent/axes.js';
import { applyEdit, COORD_LIMIT, faceLatent, heldAttributes, keepInRange } from '../src/latent/edit.js';
import type { Edit } from '../src/face/record.js';
import { prng, seedToLatent, randomSeed } from '../src/latent/seed.js';
import { dot, gramSchmidt, norm, projectOff } from '../src/latent/vector.js';
import { isValidTruncation, truncate, TRUNCATION_MAX, TRUNCATION_MIN } from '../src/latent/truncation.js';

const D = 16;

function unit(v: number[]): Float32Array {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
}

/** Axes with deliberate overlaps: Goatee leans on Male, Mustache on Male and Young. */
function fixtureAxes(): AxisSet {
  const basis = (i: number) => Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
  const vectors: Partial<Record<AttributeName, number[]>> = {
    Male: basis(0),
    Young: basis(1),
    Goatee: basis(0).map((x, j) => x * 0.8 + (j === 2 ? 0.6 : 0)),
    Mustache: basis(0).map((x, j) => x * 0.5 + (j === 1 ? 0.5 : 0) + (j === 3 ? 0.7 : 0)),
  };
  const axes: Axis[] = ATTRIBUTES.map((name, k) => ({
    name,
    vector: unit(vectors[name] ?? basis(4 + (k % (D - 4)))),
    center: 0.2,
    scale: 1.5,
    coordMean: 0,
    coordStd: 1,
    quality: 0.9,
    r2: 0.5,
    controllable: true,
    successRate: 0.9,
  }));
  return AxisSet.fromAxes(D, axes);
}

const edit = (weights: Edit['weights'], mode: 'target' | 'step' = 'target', locks: AttributeName[] = []): Edit => ({
  text: '',
  weights,
  mode: Object.fromEntries(Object.keys(weights).map((k) => [k, mode])),
  locks,
});

describe('seeds', () => {
  it('give the same latent every time, and different seeds differ', () => {
    const a = seedToLatent(42, 128);
    expect(seedToLatent(42, 128)).toEqual(a);
    expect(seedToLatent(43, 128)).not.toEqual(a);
  });

  it('are pinned to known values (the same z on every machine)', () => {
    const z = seedToLatent(1, 4);
    expect(Array.from(z).map((x) => Number(x.toFixed(4)))).toEqual([0.349, -0.4155, 0.5913, -1.1928]);
  });

  it('are Box-Muller on prng(seed), bit for bit (seedToLatent writes the generator out for speed)', () => {
    const reference = (seed: number, zDim: number) => {
      const rand = prng(seed);
      const z = new Float32Array(zDim);
      for (let i = 0; i < zDim; i += 2) {
        const u1 = 1 - rand();
        const u2 = rand();
        const r = Math.sqrt(-2 * Math.log(u1));
        z[i] = r * Math.cos(2 * Math.PI * u2);
        if (i + 1 < zDim) z[i + 1] = r * Math.sin(2 * Math.PI * u2);
      }
      return z;
    };
    for (const seed of [0, 1, 42, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, ...Array.from({ length: 200 }, (_, i) => (i * 2654435761) >>> 0)]) {
      for (const zDim of [128, 7]) expect(Buffer.from(seedToLatent(seed, zDim).buffer)).toEqual(Buffer.from(reference(seed, zDim).buffer));
    }
  });

  it('look like N(0, I)', () => {
    const all: number[] = [];
    for (let s = 0; s < 200; s++) all.push(...seedToLatent(s, 128));
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
  });

  it('reject invalid seeds and draw valid random ones', () => {
    expect(() => seedToLatent(-1, 8)).toThrow(RangeError);
    expect(() => seedToLatent(1.5, 8)).toThrow(RangeError);
    expect(() => seedToLatent(2 ** 32, 8)).toThrow(RangeError);
    const s = randomSeed(() => 0.999999999);
    expect(Number.isInteger(s) && s >= 0 && s <= 0xffffffff).toBe(true);
  });
});

describe('Gram-Schmidt and locks', () => {
  it('orthonormalises locked axes and drops dependent ones', () => {
    const v = [unit([1, 1, 0]), unit([1, 0, 0]), unit([2, 1, 0]), unit([0, 0, 1])];
    const b = gramSchmidt(v);
    expect(b).toHaveLength(3);
    for (let i = 0; i < b.length; i++) {
      expect(norm(b[i]!)).toBeCloseTo(1, 10);
      for (let j = 0; j < i; j++) expect(Math.abs(dot(b[i]!, b[j]!))).toBeLessThan(1e-12);
    }
    const r = projectOff(unit([3, -2, 5]), b);
    expect(norm(r)).toBeLessThan(1e-12);
  });

  it('an edit leaves locked coordinates where they were', () => {
    const axes = fixtureAxes();
    const z = seedToLatent(7, D);
    const male = axes.require('Male').vector;
    const young = axes.require('Young').vector;
    const out = applyEdit(z, edit({ Mustache: 1, Goatee: 1 }), axes, new Set());
    expect(dot(out, male)).toBeCloseTo(dot(z, male), 5);
    expect(dot(out, young)).toBeCloseTo(dot(z, young), 5);
    // and the edited attributes did move
    expect(dot(out, axes.require('Goatee').vector)).toBeGreaterThan(dot(z, axes.require('Goatee').vector));
  });

  it('without the lock, the same edit drags Male along', () => {
    const axes = fixtureAxes();
    const z = seedToLatent(7, D);
    const male = axes.require('Male').vector;
    const out = applyEdit(z, edit({ Goatee: 1.5 }), axes, new Set(), { implicitLocks: [] });
    expect(Math.abs(dot(out, male) - dot(z, male))).toBeGreaterThan(0.3);
  });

  it('persistent locks from earlier edits hold later ones', () => {
    const axes = fixtureAxes();
    const locked = { seed: 3, edits: [edit({}, 'target', ['Male']), edit({ Goatee: 2 })] };
    const z0 = seedToLatent(3, D);
    const male = axes.require('Male').vector;
    expect(dot(faceLatent(locked, axes, { implicitLocks: [] }), male)).toBeCloseTo(dot(z0, male), 4);
  });
});

describe('every word holds the expression it does not name', () => {
  /** The fixture's axes plus appearance axes that lean on Smiling, as the South_Asian and Black probes' did. */
  function withAppearance(): { axes: AxisSet; smiling: Float32Array } {
    const base = fixtureAxes();
    const smiling = base.require('Smiling').vector;
    const lean = (j: number) => unit(Array.from({ length: D }, (_, i) => 0.6 * smiling[i]! + (i === j ? 0.8 : 0)));
    const added = (name: string, vector: Float32Array): Axis => ({ ...base.require('Goatee'), name: name as AttributeName, vector });
    const axes = AxisSet.fromAxes(D, [...ATTRIBUTES.map((n) => base.require(n)), added('South_Asian', lean(2)), added('Black', lean(3))]);
    return { axes, smiling };
  }

  it('"south asian" and "black" move the face along their axes but not its smile; without the hold they drag it', () => {
    const { axes, smiling } = withAppearance();
    const z = seedToLatent(11, D);
    for (const look of ['South_Asian', 'Black'] as unknown as AttributeName[]) {
      const out = applyEdit(z, edit({ [look]: 1.5 }), axes, new Set());
      expect(dot(out, smiling)).toBeCloseTo(dot(z, smiling), 4);
      expect(dot(out, axes.require(look).vector)).toBeGreaterThan(dot(z, axes.require(look).vector) + 0.5);
      // a caller that holds nothing gets the axis as it is: the smile moves with it
      const free = applyEdit(z, edit({ [look]: 1.5 }), axes, new Set(), { implicitLocks: [] });
      expect(Math.abs(dot(free, smiling) - dot(z, smiling))).toBeGreaterThan(0.3);
    }
  });

  it('words that name the smile, and callers that choose their own holds, are not overruled', () => {
    const { axes } = withAppearance();
    const sa = 'South_Asian' as AttributeName;
    expect(heldAttributes(edit({ [sa]: 1.5, Male: 1 }), axes, new Set()).has('Smiling')).toBe(true);
    expect(heldAttributes(edit({ Male: 1 }), axes, new Set()).has('Smiling')).toBe(true);
    expect(heldAttributes(edit({ Gray_Hair: 1, Young: -1 }), axes, new Set()).has('Smiling')).toBe(true);
    expect(heldAttributes(edit({ [sa]: 1.5, Smiling: 1 }), axes, new Set()).has('Smiling')).toBe(false);
    expect(heldAttributes(edit({ Smiling: -1 }), axes, new Set()).has('Smiling')).toBe(false);
    expect(heldAttributes(edit({ [sa]: 1.5 }), axes, new Set(), { implicitLocks: [] }).has('Smiling')).toBe(false);
  });

  it('"an old man" keeps the seed\'s smile when the age axis leans on it', () => {
    const base = fixtureAxes();
    const smiling = base.require('Smiling').vector;
    const young = base.require('Young');
    // Young's axis carrying a smile (as G's old men grin): "old" would otherwise change the expression
    const vector = unit(Array.from({ length: D }, (_, i) => 0.8 * young.vector[i]! - 0.6 * smiling[i]!));
    const axes = AxisSet.fromAxes(D, ATTRIBUTES.map((n) => (n === 'Young' ? { ...young, vector } : base.require(n))));
    const z = seedToLatent(5, D);
    const out = applyEdit(z, edit({ Young: -1.5, Male: 1 }), axes, new Set());
    expect(dot(out, smiling)).toBeCloseTo(dot(z, smiling), 4);
    expect(dot(out, vector)).toBeLessThan(dot(z, vector) - 0.5);
  });
});

describe('targets and steps', () => {
  it('a target lands on the calibrated level whatever the seed', () => {
    const axes = fixtureAxes();
    const a = axes.require('Smiling');
    for (const seed of [1, 2, 3, 4]) {
      const z = seedToLatent(seed, D);
      const c = dot(z, a.vector);
      const out = applyEdit(z, edit({ Smiling: 1 }), axes, new Set());
      expect(dot(out, a.vector)).toBeCloseTo(Math.max(c, a.center + a.scale), 4);
      const neg = applyEdit(z, edit({ Smiling: -1 }), axes, new Set());
      expect(dot(neg, a.vector)).toBeCloseTo(Math.min(c, a.center - a.scale), 4);
    }
    // the fixture's level 1.7 lies above most seeds: most +1 targets really moved
    const moved = [1, 2, 3, 4].filter((s) => dot(seedToLatent(s, D), a.vector) < a.center + a.scale).length;
    expect(moved).toBeGreaterThanOrEqual(3);
  });

  it('a target never pushes the wrong way: a face already past the level stays', () => {
    const axes = fixtureAxes();
    const a = axes.require('Smiling');
    const z = seedToLatent(5, D);
    const beyond = applyEdit(z, edit({ Smiling: 2 }), axes, new Set()); // far past the +1 level
    const kept = applyEdit(beyond, edit({ Smiling: 1 }), axes, new Set());
    expect(dot(kept, a.vector)).toBeCloseTo(dot(beyond, a.vector), 5);
    const lowered = applyEdit(beyond, edit({ Smiling: -1 }), axes, new Set());
    expect(dot(lowered, a.vector)).toBeCloseTo(a.center - a.scale, 4);
  });

  it('a step moves relative to where the face is', () => {
    const axes = fixtureAxes();
    const a = axes.require('Smiling');
    const z = seedToLatent(11, D);
    const out = applyEdit(z, edit({ Smiling: 0.5 }, 'step'), axes, new Set());
    expect(dot(out, a.vector) - dot(z, a.vector)).toBeCloseTo(0.5 * a.scale, 4);
  });
});

describe('clamping', () => {
  it('clamps extreme weights and coordinates', () => {
    const axes = fixtureAxes();
    const a = axes.require('Smiling');
    const z = seedToLatent(5, D);
    const huge = applyEdit(z, edit({ Smiling: 1000 }), axes, new Set());
    expect(dot(huge, a.vector)).toBeLessThanOrEqual(a.coordMean + COORD_LIMIT * a.coordStd + 1e-6);
    let stepped = z;
    for (let i = 0; i < 20; i++) stepped = applyEdit(stepped, edit({ Smiling: 2 }, 'step'), axes, new Set());
    expect(dot(stepped, a.vector)).toBeLessThanOrEqual(a.coordMean + COORD_LIMIT * a.coordStd + 1e-6);
    expect(Array.from(stepped).every(Number.isFinite)).toBe(true);
  });

  it('keeps |z| inside the shell N(0, I) lives in', () => {
    const big = new Float32Array(128).fill(3);
    const out = keepInRange(big);
    expect(norm(out)).toBeCloseTo(Math.sqrt(128) + 3 / Math.SQRT2, 3);
    const normal = seedToLatent(9, 128);
    expect(keepInRange(normal)).toBe(normal);
  });
});

describe('truncation', () => {
  it('scales the seed latent by psi before the edits, so a target level is reached whatever psi is', () => {
    const axes = fixtureAxes();
    const seed = 99;
    const z = seedToLatent(seed, D);
    const plain = faceLatent({ seed, edits: [] }, axes);
    const typical = faceLatent({ seed, edits: [], truncation: 0.5 }, axes);
    typical.forEach((x, i) => expect(x).toBeCloseTo(z[i]! * 0.5, 5));
    expect(plain).toEqual(keepInRange(z));
    const smiling = edit({ Smiling: 1 });
    const smilingAxis = axes.get('Smiling')!.vector;
    const coordFull = dot(faceLatent({ seed, edits: [smiling] }, axes), smilingAxis);
    const coordHalf = dot(faceLatent({ seed, edits: [smiling], truncation: 0.5 }, axes), smilingAxis);
    // a target is a floor at center + scale = 1.7: both reach it unless the seed was already past it
    expect(coordHalf).toBeGreaterThanOrEqual(1.7 - 1e-4);
    expect(coordFull).toBeGreaterThanOrEqual(1.7 - 1e-4);
  });

  it('clamps psi to the valid range and treats nonsense as 1', () => {
    const z = Float32Array.from([1, -2, 3]);
    expect(truncate(z, 0.01)).toEqual(z.map((x) => x * TRUNCATION_MIN));
    expect(truncate(z, 9)).toEqual(z.map((x) => x * TRUNCATION_MAX));
    expect(truncate(z, Number.NaN)).toEqual(z);
    expect(isValidTruncation(0.7)).toBe(true);
    expect(isValidTruncation(0)).toBe(false);
  });
});
