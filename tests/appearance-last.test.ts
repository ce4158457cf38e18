import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, attributeIndex, type AttributeName } from '../src/face/attributes.js';
import type { Edit } from '../src/face/record.js';
import { appearanceLast } from '../src/latent/appearance-last.js';
import { AxisSet, type Axis } from '../src/latent/axes.js';
import { SteerCache, steerFaceCached } from '../src/latent/steer-cache.js';
import { APPEARANCE_RISE, LEVEL_LOGIT, steerFace, type FaceReading } from '../src/latent/steer.js';

/**
 * A tiny world where the appearance probes read what the gender goal does, as the South_Asian probe reads G's men
 * (the loop for "a man" alone lifts it from about 0 to logit 4–19 on a fifth of seeds): each of the 40 has a
 * coordinate of a 48-d z (F's logit 2·z), and each probe reads a coordinate of its own plus 3× Male's.
 */
const D = 48;
const PROBES = { South_Asian: 40, Black: 41, East_Asian: 42 } as const;
const MALE = attributeIndex('Male');
const basis = (i: number) => Float32Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
const axis = (name: string, k: number): Axis => ({
  name: name as AttributeName, vector: basis(k), center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5,
  controllable: true, successRate: 0.9, gain: 2,
});
const axes = AxisSet.fromAxes(D, [...ATTRIBUTES.map((n, k) => axis(n, k)), ...Object.entries(PROBES).map(([n, k]) => axis(n, k))]);
/** F and the probes; `glassesCap` stops the glasses reading rising (a goal G cannot draw). */
const reader = (glassesCap = Infinity) => async (zs: Float32Array[]): Promise<FaceReading[]> => zs.map((z) => ({
  logits: Float32Array.from(ATTRIBUTES, (n, k) => (n === 'Eyeglasses' ? Math.min(glassesCap, 2 * z[k]!) : 2 * z[k]!)),
  added: Object.fromEntries(Object.entries(PROBES).map(([n, k]) => [n, 2 * z[k]! + 3 * z[MALE]!])) as FaceReading['added'],
}));
const edit = (weights: Record<string, number>): Edit => ({
  text: 'words', weights: weights as Edit['weights'], mode: Object.fromEntries(Object.keys(weights).map((n) => [n, 'target'])) as Edit['mode'], locks: [],
});
const probe = (r: FaceReading, name = 'South_Asian') => r.added![name as never] as number;
const male = (r: FaceReading) => r.logits[MALE]!;

/** Seeds where "a man" alone lifts the probe past the words' line and past the seed's own reading + the rise. */
async function liftedSeeds(count = 5): Promise<number[]> {
  const out: number[] = [];
  for (let seed = 1; out.length < count && seed < 400; seed++) {
    const start = (await steerFace({ seed, edits: [] }, axes, reader())).reading;
    const man = (await steerFace({ seed, edits: [edit({ Male: 1 })] }, axes, reader())).reading;
    if (probe(man) > Math.max(LEVEL_LOGIT * 1.5, probe(start) + APPEARANCE_RISE) + 0.5) out.push(seed);
  }
  return out;
}

describe('an appearance asked for with other words is drawn last (appearance-last.ts)', () => {
  it('"a south asian man" reads more South Asian than "a man" on the same seed, and is still a man', async () => {
    const seeds = await liftedSeeds();
    expect(seeds.length).toBe(5);
    for (const seed of seeds) {
      const man = await steerFace({ seed, edits: [edit({ Male: 1 })] }, axes, reader());
      const asked = await steerFace({ seed, edits: [edit({ South_Asian: 1.5, Dark_Skin: 0.3, Male: 1 })] }, axes, reader());
      expect(probe(asked.reading)).toBeGreaterThanOrEqual(probe(man.reading) + APPEARANCE_RISE - 1e-3);
      expect(male(asked.reading)).toBeGreaterThanOrEqual(LEVEL_LOGIT - 1e-3);
      expect(asked.shortfalls).toEqual([]);
      // the cached path (a refine's) steers the edit the same way
      const smile = edit({ Smiling: 1 });
      const chain = [smile, edit({ South_Asian: 1.5, Dark_Skin: 0.3, Male: 1 })];
      const cache = new SteerCache();
      await steerFaceCached({ seed, edits: [smile], truncation: 1 }, axes, reader(), cache);
      const cached = await steerFaceCached({ seed, edits: chain, truncation: 1 }, axes, reader(), cache);
      expect(cache.hits).toBe(1); // the second edit ran through the cache's own loop
      expect(Array.from(cached.z)).toEqual(Array.from((await steerFace({ seed, edits: chain }, axes, reader())).z));
    }
  });

  it('a refine that asks for another person ("a south asian woman" said of a man) is not held to who he was', async () => {
    // the identity network sees the gender, the look and the coordinates no attribute has
    const withId = async (zs: Float32Array[]) => (await reader()(zs)).map((r, i) => ({
      ...r, identity: Float32Array.from([3, 2 * zs[i]![MALE]!, 2 * zs[i]![PROBES.South_Asian]!, ...zs[i]!.slice(43, 48)]),
    }));
    const held = axes.withIdentityHold({ band: 0.05 });
    const woman = edit({ South_Asian: 1.5, Dark_Skin: 0.3, Male: -1 });
    for (const seed of [1, 2, 3, 4]) {
      const r = await steerFace({ seed, edits: [edit({ Male: 1 }), { ...woman, text: 'a south asian woman' }] }, held, withId);
      expect(male(r.reading)).toBeLessThanOrEqual(-LEVEL_LOGIT + 1e-3);
      expect(probe(r.reading)).toBeGreaterThanOrEqual(LEVEL_LOGIT * 1.5 - 1e-3);
      expect(r.shortfalls).toEqual([]);
    }
  });

  it('a goal of the rest that G cannot draw is still reported; the appearance met is not', async () => {
    const [seed] = await liftedSeeds(1);
    const r = await steerFace({ seed: seed!, edits: [edit({ South_Asian: 1.5, Male: 1, Eyeglasses: 1 })] }, axes, reader(0));
    expect(r.shortfalls.map((s) => s.name)).toEqual(['Eyeglasses']);
    expect(r.shortfalls[0]!.reached).toBeLessThanOrEqual(0);
  });

  it('splits only a rising appearance named with other words, the first time; the second part holds the rest', () => {
    const both = appearanceLast(edit({ South_Asian: 1.5, Dark_Skin: 0.3, Male: 1, Smiling: 1 }));
    expect(Object.keys(both!.rest.weights).sort()).toEqual(['Male', 'Smiling']);
    expect(Object.keys(both!.appearance.weights).sort()).toEqual(['Dark_Skin', 'South_Asian']);
    expect(both!.appearance.held?.goals.map((g) => [g.name, g.weight])).toEqual([['Male', 1], ['Smiling', 1]]);
    expect(appearanceLast({ ...edit({ South_Asian: 1.5 }), age: { mode: 'exact', years: 30 } })!.appearance.held?.goals
      .map((g) => [g.name, g.age?.years])).toEqual([['Young', 30]]);
    expect(appearanceLast(edit({ South_Asian: 1.5, Dark_Skin: 0.3 }))).toBeUndefined(); // nothing else asked
    expect(appearanceLast(edit({ South_Asian: 1.5, Male: 1 }), { namedBefore: new Set(['South_Asian']) })).toBeUndefined();
    expect(appearanceLast(edit({ South_Asian: -1, Male: 1 }))).toBeUndefined(); // "less" does not rise
    expect(appearanceLast(edit({ Dark_Skin: 1, Male: 1 }))).toBeUndefined(); // a skin tone alone is not split
  });
});
