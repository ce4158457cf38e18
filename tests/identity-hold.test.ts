import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, attributeIndex } from '../src/face/attributes.js';
import { AxisSet, type Axis } from '../src/latent/axes.js';
import type { Edit } from '../src/face/record.js';
import { steerFace, type FaceReading } from '../src/latent/steer.js';
import { SteerCache, steerFaceCached } from '../src/latent/steer-cache.js';
import { AGE_BAND_FACTOR, asksForAge, asksForAnotherPerson, embeddingDistance, identityHoldFor } from '../src/latent/identity-hold.js';
import { shortfallText } from '../src/conversation/wording.js';
import { createEngine } from '../src/conversation/engine.js';
import type { FaceScorer } from '../src/render/types.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer } from './helpers/fake-render.js';

/**
 * A tiny world: every attribute on its own coordinate of a 48-d z (F's logit 2·z_k; glasses, hats and beards
 * 0.8 per unit, so their goals take long moves), and an identity network that sees the 8 coordinates no
 * attribute has and, less, the glasses, hat and beard ones: an accessory drawn large makes the face someone else.
 */
const D = 48;
const at = (name: (typeof ATTRIBUTES)[number]) => attributeIndex(name);
const LONG = [at('Eyeglasses'), at('Wearing_Hat'), at('No_Beard')];
const basis = (i: number) => Float32Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
const plainAxes = AxisSet.fromAxes(D, ATTRIBUTES.map((name, k): Axis => ({
  name, vector: basis(k), center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5, controllable: true, successRate: 0.9,
  gain: LONG.includes(k) ? 0.8 : 2,
})));

function embed(z: Float32Array): Float32Array {
  return Float32Array.from([3, ...z.slice(40, 48), ...LONG.map((k) => 0.8 * z[k]!)]);
}

async function read(zs: Float32Array[]): Promise<FaceReading[]> {
  return zs.map((z) => {
    const logits = Float32Array.from(ATTRIBUTES, (_, k) => (LONG.includes(k) ? 0.8 : 2) * z[k]!);
    return { logits, identity: embed(z) };
  });
}

const edit = (text: string, weights: Edit['weights']): Edit => ({
  text, weights, mode: Object.fromEntries(Object.keys(weights).map((k) => [k, 'target'])), locks: [],
});
const first = edit('a man', { Male: 1 });
const glasses = edit('add glasses', { Eyeglasses: 1 });
const hat = edit('give him a hat', { Wearing_Hat: 1 });
const beard = edit('a full beard', { No_Beard: -1 });
const BAND = 0.03;
const held = plainAxes.withIdentityHold({ band: BAND });
const seeds = Array.from({ length: 16 }, (_, i) => 500 + i);
const drift = (a: FaceReading, b: FaceReading) => embeddingDistance(a.identity!, b.identity!);

describe('the identity hold in the closed loop', () => {
  it('keeps a single refinement within the band, gives up part of the goal instead, and says so', async () => {
    let heldBack = 0;
    for (const seed of seeds) {
      const origin = await steerFace({ seed, edits: [first] }, held, read);
      const open = await steerFace({ seed, edits: [first, glasses] }, plainAxes, read);
      const r = await steerFace({ seed, edits: [first, glasses] }, held, read);
      expect(drift(r.reading, origin.reading)).toBeLessThanOrEqual(BAND);
      if (drift(open.reading, origin.reading) <= BAND) continue;
      heldBack++;
      // part of the edit is kept: the face has more glasses than before, less than the open loop drew
      expect(r.reading.logits[at('Eyeglasses')]).toBeGreaterThan(origin.reading.logits[at('Eyeglasses')]! + 0.1);
      expect(r.reading.logits[at('Eyeglasses')]).toBeLessThan(open.reading.logits[at('Eyeglasses')]!);
      expect(r.shortfalls).toEqual([expect.objectContaining({ name: 'Eyeglasses', someoneElse: 'him' })]);
      expect(shortfallText(r.shortfalls[0]!)).toMatch(/^glasses: this is as far as it goes, more would make him someone else \(glasses \d+%\)$/);
    }
    expect(heldBack).toBeGreaterThanOrEqual(8);
  });

  it('holds a chain of refinements to its first render, so three edits within the band each do not add up to someone else', async () => {
    let added = 0;
    for (const seed of seeds) {
      const origin = await steerFace({ seed, edits: [first] }, held, read);
      const chain = [first, glasses, hat, beard];
      const open = await steerFace({ seed, edits: chain }, plainAxes, read);
      const r = await steerFace({ seed, edits: chain }, held, read);
      expect(drift(r.reading, origin.reading)).toBeLessThanOrEqual(BAND);
      if (drift(open.reading, origin.reading) > BAND) added++;
    }
    expect(added).toBeGreaterThanOrEqual(12);
  });

  it('draws the same chain through the steer cache (a refine steered from its parent) as from the seed', async () => {
    const cache = new SteerCache();
    for (const seed of seeds.slice(0, 4)) {
      const chain = [first, glasses, hat];
      await steerFaceCached({ seed, edits: chain.slice(0, 1), truncation: 1 }, held, read, cache);
      await steerFaceCached({ seed, edits: chain.slice(0, 2), truncation: 1 }, held, read, cache);
      const cached = await steerFaceCached({ seed, edits: chain, truncation: 1 }, held, read, cache);
      expect(Array.from(cached.z)).toEqual(Array.from((await steerFace({ seed, edits: chain }, held, read)).z));
    }
  });

  it('keeps apart in the steer cache two edits that differ only in asking for another person', async () => {
    const other = edit('someone else with glasses', { Eyeglasses: 1 });
    const cache = new SteerCache();
    for (const seed of seeds.slice(0, 4)) {
      await steerFaceCached({ seed, edits: [first, glasses], truncation: 1 }, held, read, cache);
      const cached = await steerFaceCached({ seed, edits: [first, other], truncation: 1 }, held, read, cache);
      const fresh = await steerFace({ seed, edits: [first, other] }, held, read);
      expect(Array.from(cached.z)).toEqual(Array.from(fresh.z));
    }
  });

  it('does not hold words that ask for another person, nor a gender asked for', async () => {
    const other = edit('someone else with glasses', { Eyeglasses: 1 });
    const woman = edit('make him a woman with glasses', { Male: -1, Eyeglasses: 1 });
    for (const e of [other, woman]) {
      expect(asksForAnotherPerson(e)).toBe(true);
      for (const seed of seeds.slice(0, 4)) {
        const open = await steerFace({ seed, edits: [first, e] }, plainAxes, read);
        expect(Array.from((await steerFace({ seed, edits: [first, e] }, held, read)).z)).toEqual(Array.from(open.z));
      }
    }
    expect(asksForAnotherPerson(glasses)).toBe(false);
    expect(asksForAnotherPerson(edit('another man with a hat', { Wearing_Hat: 1 }))).toBe(true);
  });

  it('changes nothing when the scorer does not read identity, or the face stays within the band', async () => {
    const blind = async (zs: Float32Array[]) => (await read(zs)).map(({ logits }) => ({ logits }));
    const smile = edit('smiling', { Smiling: 1 });
    for (const seed of seeds.slice(0, 4)) {
      const open = await steerFace({ seed, edits: [first, glasses] }, plainAxes, blind);
      expect(Array.from((await steerFace({ seed, edits: [first, glasses] }, held, blind)).z)).toEqual(Array.from(open.z));
      const plain = await steerFace({ seed, edits: [first, smile] }, plainAxes, read);
      const r = await steerFace({ seed, edits: [first, smile] }, held, read);
      expect(Array.from(r.z)).toEqual(Array.from(plain.z));
      expect(r.passes).toBe(plain.passes);
    }
  });

  it('says in the reply when identity is why a goal was not reached, and not when nothing was held back', async () => {
    const scorer: FaceScorer = { read, scoreLatent: async (z) => (await read([z]))[0]!.logits.map((l) => 1 / (1 + Math.exp(-l))) };
    const told: boolean[] = [];
    for (const r of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      const engine = createEngine({ store: new FakeStore(), renderer: new FakeRenderer(), scorer, axes: held, model: 'm', random: () => r, now: () => 1 });
      const made = await engine.describe({ userId: 'a' }, 'a man');
      if (made.kind !== 'face') throw new Error('expected a face');
      expect(made.notes.join(' ')).not.toMatch(/someone else/);
      const refined = await engine.refine({ userId: 'a' }, 'add glasses');
      if (refined.kind !== 'face') throw new Error('expected a face');
      const note = refined.notes.find((n) => /someone else/.test(n));
      if (note) expect(note).toMatch(/^glasses: this is as far as it goes, more would make him someone else \(glasses \d+%\)$/);
      told.push(note !== undefined);
      const bangs = await engine.refine({ userId: 'a' }, 'with bangs');
      if (bangs.kind !== 'face') throw new Error(`expected a face: ${bangs.text}`);
      expect(bangs.notes.join(' ')).not.toMatch(/bangs: this is as far as it goes/);
    }
    expect(told.filter(Boolean).length).toBeGreaterThanOrEqual(3);
  });

  it('words the shortfall for ages and for less of something as the goal was asked', () => {
    expect(shortfallText({ name: 'Age', direction: 'exact', wanted: 70, reached: 57.6, someoneElse: 'her' }))
      .toBe('an age of 70 would make her someone else: the face reads about 58');
    expect(shortfallText({ name: 'No_Beard', direction: 'down', wanted: -1.5, reached: 0, someoneElse: 'him' }))
      .toBe('beard: this is as far as it goes, more would make him someone else (beard 50%)');
    expect(shortfallText({ name: 'Age', direction: 'down', wanted: 30, reached: 41, someoneElse: 'him' }))
      .toMatch(/^younger: this is as far as it goes, more would make him someone else \(the face reads about 41\)$/);
  });

  it('takes back a drift off the goal\'s direction, not the goal: the face keeps its glasses and its identity', async () => {
    // G's glasses axis (the open-loop move) also moves an identity coordinate; F's glasses rise along the glasses
    // coordinate alone, and the surrogate says so (its gradient at every face)
    const G = at('Eyeglasses');
    const side = 41;
    const mixed = Float32Array.from({ length: D }, (_, j) => (j === G ? 0.6 : j === side ? 0.8 : 0));
    const axesWithSide = AxisSet.fromAxes(D, ATTRIBUTES.map((name, k): Axis => ({
      name, vector: k === G ? mixed : basis(k), center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5,
      controllable: true, successRate: 0.9, gain: 2,
    }))).withSurrogate({ zDim: D, gradients: (_z, names) => names.map((n) => (n === 'Eyeglasses' ? basis(G).map((v) => 2 * v) : undefined)) });
    const flat = async (zs: Float32Array[]): Promise<FaceReading[]> => zs.map((z) => ({
      logits: Float32Array.from(ATTRIBUTES, (_, k) => 2 * z[k]!), identity: Float32Array.from([2, ...z.slice(40, 48)]),
    }));
    let drifted = 0;
    for (const seed of seeds) {
      const origin = await steerFace({ seed, edits: [first] }, axesWithSide, flat);
      const open = await steerFace({ seed, edits: [first, glasses] }, axesWithSide, flat);
      const r = await steerFace({ seed, edits: [first, glasses] }, axesWithSide.withIdentityHold({ band: BAND }), flat);
      if (drift(open.reading, origin.reading) > BAND) drifted++;
      expect(drift(r.reading, origin.reading)).toBeLessThanOrEqual(BAND);
      expect(r.shortfalls).toEqual([]);
    }
    expect(drifted).toBeGreaterThanOrEqual(5);
  });
});

describe('an edit that asks for an age is held within a band AGE_BAND_FACTOR wider', () => {
  const anchor = Float32Array.from([1, 0, 0]);
  const older: Edit = { ...edit('make her older', { Young: -0.6 }), mode: { Young: 'step' }, age: { mode: 'step', years: 15 } };
  const sixty: Edit = { ...edit('make her 60 years old', {}), age: { mode: 'exact', years: 60 } };
  const younger = edit('younger', { Young: 1 });

  it('knows which edits ask for an age: years, or a Young weight', () => {
    expect([older, sixty, younger].map(asksForAge)).toEqual([true, true, true]);
    expect([glasses, hat, edit('smiling', { Smiling: 1 }), edit('young', { Young: 0 })].map(asksForAge)).toEqual([false, false, false, false]);
  });

  it('widens the band for an age by AGE_BAND_FACTOR (0.368 -> about 0.5), an operator\'s band too, and leaves other words at the band', () => {
    const strict = { band: 0.368 };
    for (const e of [older, sixty, younger]) expect(identityHoldFor(strict, anchor, e)!.band).toBeCloseTo(0.5, 2);
    for (const e of [glasses, hat, beard]) expect(identityHoldFor(strict, anchor, e)!.band).toBe(0.368);
    expect(identityHoldFor({ band: 0.2 }, anchor, older)!.band).toBeCloseTo(0.2 * AGE_BAND_FACTOR, 6);
    expect(identityHoldFor({ band: 0.2 }, anchor, glasses)!.band).toBe(0.2);
    // words that ask for another person are still not held, age or not
    expect(identityHoldFor(strict, anchor, { ...older, weights: { ...older.weights, Male: -1 } })).toBeUndefined();
  });
});

describe('after an age, later words are held no further from the first render than the face already is', () => {
  const anchor = Float32Array.from([1, 0, 0]);
  const at = (d: number): FaceReading => ({ logits: new Float32Array(ATTRIBUTES.length), identity: Float32Array.from([1 - d, Math.sqrt(1 - (1 - d) ** 2), 0]) });

  it('a face already past the band (an age held within its wider band) widens the band to where it is, never narrows it', () => {
    const keeper = identityHoldFor({ band: 0.2 }, anchor, glasses)!;
    keeper.startFrom(at(0.1));
    expect(keeper.band).toBe(0.2);
    expect(keeper.within(at(0.25))).toBe(false);
    keeper.startFrom(at(0.3));
    expect(keeper.band).toBeCloseTo(0.3, 6);
    expect(keeper.within(at(0.25))).toBe(true);
    expect(keeper.within(at(0.35))).toBe(false); // no further than it already was
    keeper.startFrom(at(0.1));
    expect(keeper.band).toBeCloseTo(0.3, 6);
    // a face the network did not read changes nothing
    keeper.startFrom({ logits: new Float32Array(ATTRIBUTES.length) });
    expect(keeper.band).toBeCloseTo(0.3, 6);
  });
});
