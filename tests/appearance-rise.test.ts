import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, type AttributeName } from '../src/face/attributes.js';
import type { Edit } from '../src/face/record.js';
import { AxisSet, type Axis } from '../src/latent/axes.js';
import { SteerCache, steerFaceCached } from '../src/latent/steer-cache.js';
import { APPEARANCE_RISE, LEVEL_LOGIT, goalsMet, steerFace, type FaceReading } from '../src/latent/steer.js';

/**
 * A tiny world with appearance probes that read many faces far past their goal line, as the South_Asian probe
 * reads G's plain men (logit 3–20): each of the 40 has a coordinate of a 48-d z (F's logit 2·z), and each probe
 * reads a coordinate of its own (2·z, or a probe that stops rising past `cap`).
 */
const D = 48;
const PROBES = { South_Asian: 40, Black: 41, East_Asian: 42, White: 43 } as const;
type Probe = keyof typeof PROBES;
const basis = (i: number) => Float32Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
const axis = (name: string, k: number): Axis => ({
  name: name as AttributeName, vector: basis(k), center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5,
  controllable: true, successRate: 0.9, gain: 2,
});
const axes = AxisSet.fromAxes(D, [...ATTRIBUTES.map((n, k) => axis(n, k)), ...Object.entries(PROBES).map(([n, k]) => axis(n, k))]);
const reader = (cap = Infinity) => async (zs: Float32Array[]): Promise<FaceReading[]> => zs.map((z) => ({
  logits: Float32Array.from(ATTRIBUTES, (_, k) => 2 * z[k]!),
  added: Object.fromEntries(Object.entries(PROBES).map(([n, k]) => [n, Math.min(cap, 2 * z[k]!)])) as FaceReading['added'],
}));
const edit = (weights: Record<string, number>, mode: 'target' | 'step' = 'target'): Edit => ({
  text: 'words', weights: weights as Edit['weights'], mode: Object.fromEntries(Object.keys(weights).map((n) => [n, mode])) as Edit['mode'], locks: [],
});
const probe = (r: FaceReading, name: Probe = 'South_Asian') => r.added![name as never] as number;
/** The face a seed draws before any words (the start of a new face's edit). */
const start = async (seed: number, cap = Infinity) => (await steerFace({ seed, edits: [] }, axes, reader(cap))).reading;

/** Seeds whose start the probe already reads past the goal line of weight 1.5 (2.25). */
async function saturatedSeeds(name: Probe, count = 4): Promise<number[]> {
  const out: number[] = [];
  for (let seed = 1; out.length < count && seed < 600; seed++) if (probe(await start(seed), name) > 3.5) out.push(seed);
  return out;
}

describe('appearance words move the face toward the look even where the probe already reads it (RISES_FROM_START)', () => {
  it('"black", "east asian", "south asian" rise at least APPEARANCE_RISE above the start, and say nothing was missed', async () => {
    for (const name of ['South_Asian', 'Black', 'East_Asian'] as const) {
      const seeds = await saturatedSeeds(name);
      expect(seeds.length).toBe(4);
      for (const seed of seeds) {
        const r = await steerFace({ seed, edits: [edit({ [name]: 1.5 })] }, axes, reader());
        expect(probe(r.reading, name)).toBeGreaterThanOrEqual(probe(await start(seed), name) + APPEARANCE_RISE - 1e-3);
        expect(r.shortfalls).toEqual([]);
      }
    }
  });

  it('where the probe cannot read higher, the face still meets the words: no shortfall, and the goal counts as kept', async () => {
    const [seed] = await saturatedSeeds('South_Asian');
    const e = edit({ South_Asian: 1.5 });
    const r = await steerFace({ seed: seed!, edits: [e] }, axes, reader(3.5));
    expect(probe(r.reading)).toBeGreaterThan(LEVEL_LOGIT * 1.5);
    expect(r.shortfalls).toEqual([]);
    expect(goalsMet(e, await start(seed!, 3.5), r.reading, axes).unmet).toEqual([]);
    // a probe that cannot reach the words' level says so, and names that level (not the rise) as what was asked
    const short = await steerFace({ seed: seed!, edits: [e] }, axes, reader(2));
    expect(short.shortfalls.map((s) => [s.name, s.wanted])).toEqual([['South_Asian', LEVEL_LOGIT * 1.5]]);
    expect(goalsMet(e, await start(seed!, 2), short.reading, axes).unmet).toEqual(['South_Asian']);
  });

  it('rises once in a chain: the same words again, or after a studio slider on it, leave the face where it is', async () => {
    const [seed] = await saturatedSeeds('South_Asian');
    const e = edit({ South_Asian: 1.5 });
    const once = await steerFace({ seed: seed!, edits: [e] }, axes, reader());
    const twice = await steerFace({ seed: seed!, edits: [e, e] }, axes, reader());
    expect(probe(twice.reading)).toBeCloseTo(probe(once.reading), 3);
    const slider = edit({ South_Asian: -0.4 }, 'step'); // moved down, then the words replay on top
    const slid = await steerFace({ seed: seed!, edits: [slider] }, axes, reader());
    const words = await steerFace({ seed: seed!, edits: [slider, e] }, axes, reader());
    expect(probe(slid.reading)).toBeGreaterThan(LEVEL_LOGIT * 1.5); // still past the line: the words need nothing
    expect(probe(words.reading)).toBeCloseTo(probe(slid.reading), 3);
    // the cached path (a refine from the stored parent) judges the chain the same way
    const cache = new SteerCache();
    await steerFaceCached({ seed: seed!, edits: [e], truncation: 1 }, axes, reader(), cache);
    const cached = await steerFaceCached({ seed: seed!, edits: [e, e], truncation: 1 }, axes, reader(), cache);
    expect(cache.hits).toBe(1);
    expect(probe(cached.reading)).toBeCloseTo(probe(twice.reading), 6);
    // a later edit of something else holds the look at the words' line, and does not push it further
    const older = await steerFace({ seed: seed!, edits: [e, edit({ Smiling: 1 })] }, axes, reader());
    expect(probe(older.reading)).toBeCloseTo(probe(once.reading), 3);
  });

  it('below the line the goal is the line, as for any attribute; White (most faces read it already) does not rise', async () => {
    let below = 0;
    for (let seed = 1; below < 3 && seed < 200; seed++) {
      if (probe(await start(seed)) >= 0) continue;
      below++;
      const r = await steerFace({ seed, edits: [edit({ South_Asian: 1.5 })] }, axes, reader());
      expect(probe(r.reading)).toBeGreaterThanOrEqual(LEVEL_LOGIT * 1.5 - 1e-3);
      expect(probe(r.reading)).toBeLessThan(LEVEL_LOGIT * 1.5 + APPEARANCE_RISE);
    }
    expect(below).toBe(3);
    const white = await saturatedSeeds('White');
    expect(white.length).toBe(4);
    for (const seed of white) {
      const r = await steerFace({ seed, edits: [edit({ White: 1 })] }, axes, reader());
      expect(probe(r.reading, 'White')).toBeCloseTo(probe(await start(seed), 'White'), 3); // met: not moved
    }
  });
});
