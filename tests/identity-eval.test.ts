import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, attributeIndex } from '../src/face/attributes.js';
import { AxisSet, type Axis } from '../src/latent/axes.js';
import { SteerCache } from '../src/latent/steer-cache.js';
import type { FaceReading } from '../src/latent/steer.js';
import { describeFaces, refineFaces, summarise, type IdentityCase } from '../src/cli/identity-eval.js';

/**
 * The eval's arithmetic on a tiny world (every attribute on its own coordinate of a 48-d z; glasses and hats take
 * long moves, and the identity network sees them and the 8 coordinates no attribute has): the hold's arm stays
 * within the band, the open arm does not, and earlier goals are counted one by one.
 */
const D = 48;
const LONG = [attributeIndex('Eyeglasses'), attributeIndex('Wearing_Hat')];
const basis = (i: number) => Float32Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
const open = AxisSet.fromAxes(D, ATTRIBUTES.map((name, k): Axis => ({
  name, vector: basis(k), center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5, controllable: true, successRate: 0.9,
  gain: LONG.includes(k) ? 0.8 : 2,
})));
const read = async (zs: Float32Array[]): Promise<FaceReading[]> => zs.map((z) => ({
  logits: Float32Array.from(ATTRIBUTES, (_, k) => (LONG.includes(k) ? 0.8 : 2) * z[k]!),
  identity: Float32Array.from([3, ...z.slice(40, 48), ...LONG.map((k) => 0.8 * z[k]!)]),
}));
const scorer = { read, scoreLatent: async () => new Float32Array(40) };
const BAND = 0.03;
const chain: IdentityCase = { describe: 'a man', refine: ['add glasses', 'give him a hat'] };
const seeds = Array.from({ length: 12 }, (_, i) => 40 + i);

describe('eval:identity', () => {
  it('reports the same person on every seed with the hold, fewer without, and the goals and earlier goals it counts', async () => {
    const held = open.withIdentityHold({ band: BAND });
    const described = await describeFaces(chain, seeds, held, scorer, read, 1, new SteerCache());
    const withHold = summarise(chain, await refineFaces(chain, described, held, read), BAND);
    const without = summarise(chain, await refineFaces(chain, described, open, read), BAND);
    expect(withHold.seeds).toBe(12);
    expect(withHold.words).toBe('"a man" → "add glasses" → "give him a hat"');
    for (const [k, s] of withHold.steps.entries()) {
      expect(s.samePerson).toBe(1);
      expect(without.steps[k]!.samePerson).toBeLessThan(1);
      expect(s.reached).toBeLessThan(without.steps[k]!.reached);
      expect(s.someoneElse).toBeGreaterThan(0);
    }
    // the description's "a man" is an earlier goal at every step; after the hat, the glasses are too where they were reached
    expect(without.steps[0]!.earlierMet).toBe(12);
    expect(without.steps[1]!.earlierMet).toBe(12 + Math.round(without.steps[0]!.reached * 12));
    expect(without.steps[1]!.earlierKept).toBe(without.steps[1]!.earlierMet);
  });
});
