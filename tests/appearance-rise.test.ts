import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, type AttributeName } from '../src/face/attributes.js';
import type { Edit } from '../src/face/record.js';
import { AxisSet, type Axis } from '../src/latent/axes.js';
import { APPEARANCE_RISE, LEVEL_LOGIT, goalsMet, steerFace, type FaceReading } from '../src/latent/steer.js';
import { dot } from '../src/latent/vector.js';

/**
 * A tiny world with an appearance probe that reads many faces far past its goal line, as the South_Asian probe
 * reads G's plain men (logit 3–20): each of the 40 has a coordinate of a 48-d z (F's logit 2·z), the probe reads
 * coordinate 40 (2·z₄₀, or a probe that stops rising past `cap`).
 */
const D = 48;
const PROBE = 40;
const basis = (i: number) => Float32Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
const axis = (name: string, k: number): Axis => ({
  name: name as AttributeName, vector: basis(k), center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5,
  controllable: true, successRate: 0.9, gain: 2,
});
const axes = AxisSet.fromAxes(D, [...ATTRIBUTES.map((n, k) => axis(n, k)), axis('South_Asian', PROBE), axis('White', PROBE + 1)]);
const reader = (cap = Infinity) => async (zs: Float32Array[]): Promise<FaceReading[]> => zs.map((z) => ({
  logits: Float32Array.from(ATTRIBUTES, (_, k) => 2 * z[k]!),
  added: { South_Asian: Math.min(cap, 2 * dot(z, basis(PROBE))), White: 2 * z[PROBE + 1]! } as FaceReading['added'],
}));
const edit = (weights: Record<string, number>): Edit => ({
  text: 'words', weights: weights as Edit['weights'], mode: Object.fromEntries(Object.keys(weights).map((n) => [n, 'target'])) as Edit['mode'], locks: [],
});
const probe = (r: FaceReading, name = 'South_Asian') => r.added![name as never] as number;

/** The face a seed draws before any words (the start of a new face's edit). */
const start = async (seed: number) => (await steerFace({ seed, edits: [] }, axes, reader())).reading;

/** Seeds whose start the probe already reads past the goal line of weight 1.5 (and past LEVEL_LOGIT for White). */
async function saturatedSeeds(name: string): Promise<number[]> {
  const out: number[] = [];
  for (let seed = 1; out.length < 4 && seed < 400; seed++) {
    if (probe(await start(seed), name) > 3.5) out.push(seed);
  }
  return out;
}

describe('appearance words move the face toward the look even where the probe already reads it (RISES_FROM_START)', () => {
  it('rises at least APPEARANCE_RISE above the start, and says nothing was missed', async () => {
    const seeds = await saturatedSeeds('South_Asian');
    expect(seeds.length).toBe(4);
    for (const seed of seeds) {
      const r = await steerFace({ seed, edits: [edit({ South_Asian: 1.5 })] }, axes, reader());
      expect(probe(r.reading)).toBeGreaterThanOrEqual(probe(await start(seed)) + APPEARANCE_RISE - 1e-3);
      expect(r.shortfalls).toEqual([]);
    }
  });

  it('where the probe cannot read higher, the face still meets the words: no shortfall, and a later edit keeps the goal', async () => {
    const [seed] = await saturatedSeeds('South_Asian');
    const e = edit({ South_Asian: 1.5 });
    const r = await steerFace({ seed: seed!, edits: [e] }, axes, reader(3.5));
    expect(probe(r.reading)).toBeGreaterThan(LEVEL_LOGIT * 1.5);
    expect(r.shortfalls).toEqual([]);
    expect(goalsMet(e, await start(seed!), r.reading, axes).unmet).toEqual([]);
  });

  it('below the line the goal is the line, as for any attribute; White (most faces read it already) does not rise', async () => {
    let below = 0;
    for (let seed = 1; below < 3 && seed < 200; seed++) {
      const r = await steerFace({ seed, edits: [edit({ South_Asian: 1.5 })] }, axes, reader());
      if (probe(await start(seed)) >= 0) continue;
      below++;
      expect(probe(r.reading)).toBeGreaterThanOrEqual(LEVEL_LOGIT * 1.5 - 1e-3);
      expect(probe(r.reading)).toBeLessThan(LEVEL_LOGIT * 1.5 + APPEARANCE_RISE);
    }
    expect(below).toBe(3);
    for (const seed of await saturatedSeeds('White')) {
      const r = await steerFace({ seed, edits: [edit({ White: 1 })] }, axes, reader());
      expect(probe(r.reading, 'White')).toBeCloseTo(probe(await start(seed), 'White'), 3); // met: not moved
    }
  });
});
