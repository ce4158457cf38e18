import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import type { EngineReply } from '../src/conversation/types.js';
import { ATTRIBUTES, attributeIndex } from '../src/face/attributes.js';
import { AxisSet, type Axis } from '../src/latent/axes.js';
import type { Edit } from '../src/face/record.js';
import { candidateLatent, candidateSeed, searchStart } from '../src/latent/candidates.js';
import { keepInRange } from '../src/latent/edit.js';
import { seedLatent } from '../src/latent/jitter.js';
import { seedToLatent } from '../src/latent/seed.js';
import { searchSeed, searchStep } from '../src/latent/seed-search.js';
import { truncate } from '../src/latent/truncation.js';
import { steerFace, type FaceReading } from '../src/latent/steer.js';
import type { FaceScorer } from '../src/render/types.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer } from './helpers/fake-render.js';

/**
 * A tiny world: every attribute on its own coordinate of a 48-d z, F's logit 2·z_k. Faces whose hat coordinate
 * is past 1.5 break (realism distance 3: G draws a smear there). The surrogate knows F exactly (predict) but not
 * the breakage; only the rendered reading shows it.
 */
const D = 48;
const basis = (i: number) => Float32Array.from({ length: D }, (_, j) => (j === i ? 1 : 0));
const HAT = attributeIndex('Wearing_Hat');
const GLASSES = attributeIndex('Eyeglasses');
const surrogate = {
  zDim: D,
  gradients: () => [],
  predict: (z: Float32Array) => new Map(ATTRIBUTES.map((n, k) => [n as string, 2 * z[k]!])),
};
const axes = AxisSet.fromAxes(D, ATTRIBUTES.map((name, k): Axis => ({
  name, vector: basis(k), center: 0, scale: 1, coordMean: 0, coordStd: 1, quality: 0.9, r2: 0.5, controllable: true, successRate: 0.9, gain: 2,
}))).withSurrogate(surrogate);

function reader(counter = { faces: 0 }) {
  return async (zs: Float32Array[]): Promise<FaceReading[]> => {
    counter.faces += zs.length;
    return zs.map((z) => ({ logits: Float32Array.from(ATTRIBUTES, (_, k) => 2 * z[k]!), realism: z[HAT]! > 1.5 ? 3.5 : 0.7 }));
  };
}

const words: Edit = {
  text: 'with glasses and a hat', weights: { Eyeglasses: 1, Wearing_Hat: 1 }, mode: { Eyeglasses: 'target', Wearing_Hat: 'target' }, locks: [],
};
/** How far F's reading is below the words' goals (logit 1.5 each), summed. */
const missing = (r: FaceReading) => [GLASSES, HAT].reduce((s, k) => s + Math.max(0, 1.5 - r.logits[k]!), 0);

describe('seed search (a new face starts from the candidate that already fits the words)', () => {
  it('derives the same candidates from the same seed and set, other ones from another set', () => {
    expect(candidateSeed(7, 0, 3)).toBe(candidateSeed(7, 0, 3));
    expect(new Set([0, 1, 2].map((i) => candidateSeed(7, 0, i))).size).toBe(3);
    expect(candidateSeed(7, 1, 0)).not.toBe(candidateSeed(7, 0, 0));
    expect(candidateSeed(8, 0, 0)).not.toBe(candidateSeed(7, 0, 0));
    expect(Array.from(candidateLatent(7, 0, 3, D))).toEqual(Array.from(seedToLatent(candidateSeed(7, 0, 3), D)));
  });

  it('picks a start that already matches the words, far better than the seed itself, and renders only a few', async () => {
    let better = 0;
    for (let seed = 0; seed < 10; seed++) {
      const counter = { faces: 0 };
      const found = (await searchSeed({ seed, edits: [words] }, axes, reader(counter)))!;
      const own = (await reader()([keepInRange(seedToLatent(seed, D))]))[0]!;
      if (missing(found.reading) < missing(own) - 1) better++;
      expect(found.screened).toBe(1024);
      expect(counter.faces).toBe(8); // one G+F pass of the best eight
      expect(found.reading.realism).toBe(0.7); // never a broken face: the realism guard ranks the eight too
      expect(Array.from(found.z)).toEqual(Array.from(keepInRange(candidateLatent(seed, 0, found.start.pick, D))));
    }
    expect(better).toBeGreaterThanOrEqual(9);
  });

  it('of the candidates that meet the words, starts from one that looks real, even short of the guard\'s limit', async () => {
    // the critic's reading varies with a coordinate the words do not ask about, always short of REALISM_LIMIT (1.6):
    // the first search counted realism only past that limit, so it took whichever of these met the words best
    const BANGS = attributeIndex('Bangs');
    const critic = (z: Float32Array) => Math.min(1.55, 0.85 + 0.5 * Math.abs(z[BANGS]!));
    const world = async (zs: Float32Array[]): Promise<FaceReading[]> =>
      (await reader()(zs)).map((r, j) => ({ ...r, realism: critic(zs[j]!) }));
    let real = 0;
    let met = 0;
    const seeds = 20;
    for (let seed = 0; seed < seeds; seed++) {
      const found = (await searchSeed({ seed, edits: [words] }, axes, world))!;
      real += found.reading.realism!;
      if (missing(found.reading) < 0.5) met++;
    }
    expect(real / seeds).toBeLessThan(1.0); // the first search's picks (4 read, realism counted past 1.6): 1.18 here
    expect(met).toBeGreaterThanOrEqual(18); // and the words still met
  });

  it('words asking for fewer than two rare things keep the first search\'s picks (4 read, realism only past the limit)', async () => {
    const BANGS = attributeIndex('Bangs');
    const world = (counter: { faces: number }) => async (zs: Float32Array[]): Promise<FaceReading[]> =>
      (await reader(counter)(zs)).map((r, j) => ({ ...r, realism: Math.min(1.55, 0.85 + 0.5 * Math.abs(zs[j]![BANGS]!)) }));
    const hat: Edit = { text: 'a smiling woman with a hat', weights: { Smiling: 1, Male: -1, Wearing_Hat: 1 }, mode: { Smiling: 'target', Male: 'target', Wearing_Hat: 'target' }, locks: [] };
    const first = { rendered: 4, realismWeight: 4, realismFrom: 1.6 };
    let differs = 0;
    for (let seed = 0; seed < 10; seed++) {
      const counter = { faces: 0 };
      const now = (await searchSeed({ seed, edits: [hat] }, axes, world(counter)))!;
      expect(counter.faces).toBe(4);
      expect(now.start).toEqual((await searchSeed({ seed, edits: [hat] }, axes, world({ faces: 0 }), 0, first))!.start);
      const rare = (await searchSeed({ seed, edits: [{ ...hat, weights: { ...hat.weights, Eyeglasses: 1 }, mode: { ...hat.mode, Eyeglasses: 'target' } }] }, axes, world({ faces: 0 })))!;
      if (rare.rendered === 8) differs++;
    }
    expect(differs).toBe(10); // adding glasses makes two rare things: the wider read
  });

  it('appearance words that hold the expression start from a face that smiles as the words without them would; others follow their probe', async () => {
    // two appearance probes that read unsmiling faces as more of their look (the East_Asian probe did: 98% of "an
    // east asian woman" unsmiling): the search keeps East_Asian's start smiling as the words without it would (EXPRESSION_SEARCHED_BY),
    // Black's follows its probe
    const SMILE = attributeIndex('Smiling');
    const MALE = attributeIndex('Male');
    const look = { East_Asian: 40, Black: 41 } as const;
    const read = (z: Float32Array, name: keyof typeof look) => 2 * z[look[name]]! - 2 * z[SMILE]!;
    const lean = (k: number) => Float32Array.from({ length: D }, (_, j) => (j === k ? Math.SQRT1_2 : j === SMILE ? -Math.SQRT1_2 : 0));
    const world = AxisSet.fromAxes(D, [...ATTRIBUTES.map((n) => axes.require(n)), ...(['East_Asian', 'Black'] as const).map((name): Axis => ({
      ...axes.require('Goatee'), name: name as never, vector: lean(look[name]), gain: 2 * Math.SQRT2,
    }))]).withSurrogate({
      ...surrogate,
      predict: (z: Float32Array) => new Map([...surrogate.predict(z), ['East_Asian', read(z, 'East_Asian')], ['Black', read(z, 'Black')]]),
    });
    const looks = async (zs: Float32Array[]): Promise<FaceReading[]> =>
      (await reader()(zs)).map((r, j) => ({ ...r, added: { East_Asian: read(zs[j]!, 'East_Asian'), Black: read(zs[j]!, 'Black') } as FaceReading['added'] }));
    const woman = (extra: Record<string, number>): Edit => {
      const weights = { Male: -1, ...extra } as Edit['weights'];
      return { text: 'a woman', weights, mode: Object.fromEntries(Object.keys(weights).map((n) => [n, 'target'])) as Edit['mode'], locks: [] };
    };
    const smileOf = async (seed: number, edit: Edit) => (await searchSeed({ seed, edits: [edit] }, world, looks))!.reading.logits[SMILE]!;
    const plain: number[] = [], eastAsian: number[] = [], black: number[] = [];
    for (let seed = 0; seed < 12; seed++) {
      plain.push(await smileOf(seed, woman({})));
      eastAsian.push(await smileOf(seed, woman({ East_Asian: 1 })));
      black.push(await smileOf(seed, woman({ Black: 1 })));
      const found = (await searchSeed({ seed, edits: [woman({ East_Asian: 1 })] }, world, looks))!;
      expect(found.reading.added!['East_Asian' as never]).toBeGreaterThan(1); // still the look asked for
      expect(found.reading.logits[MALE]).toBeLessThan(0);
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(black)).toBeLessThan(mean(plain) - 1); // the probe's pull picks unsmiling faces
    expect(Math.abs(mean(eastAsian) - mean(plain))).toBeLessThan(0.4); // held: about as the plain words' faces
    // words that name the smile are theirs: "an unsmiling east asian woman" is not pulled back to the plain smile
    expect(await smileOf(3, woman({ East_Asian: 1, Smiling: -1 }))).toBeLessThan(-1.4);
    // but a step is relative to the start: "an east asian woman, smile more" starts as the plain words' would
    const smileMore = async (seed: number) => {
      const e = woman({ East_Asian: 1, Smiling: 0.6 });
      return (await searchSeed({ seed, edits: [{ ...e, mode: { ...e.mode, Smiling: 'step' } }] }, world, looks))!.reading.logits[SMILE]!;
    };
    const more: number[] = [];
    for (let seed = 0; seed < 12; seed++) more.push(await smileMore(seed));
    expect(Math.abs(mean(more) - mean(plain))).toBeLessThan(0.4);
    // with nothing else asked ("an east asian person"), the start smiles about as the seed's own face does
    const person: Edit = { text: 'an east asian person', weights: { East_Asian: 1 } as Edit['weights'], mode: { East_Asian: 'target' } as Edit['mode'], locks: [] };
    let near = 0;
    for (let seed = 0; seed < 12; seed++) {
      const start = (await searchSeed({ seed, edits: [person] }, world, looks))!.reading.logits[SMILE]!;
      if (Math.abs(start - 2 * keepInRange(seedToLatent(seed, D))[SMILE]!) <= 1.05) near++;
    }
    expect(near).toBeGreaterThanOrEqual(10);
    // vary: each neighbour's step is chosen among 8 by the words; for "east asian" it also keeps the face's smile
    // (seeds 0-11, four vary steps each, a step as large as the face: the share of neighbours smiling over a logit less)
    const lessSmiling = (extra: Record<string, number>) => Array.from({ length: 48 }, (_, k) => {
      const face = { seed: k % 12, edits: [woman(extra)], truncation: 1 };
      const own = 2 * keepInRange(seedToLatent(face.seed, D))[SMILE]!;
      const step = searchStep(face, 1000 + k, 1, world);
      return 2 * keepInRange(seedLatent({ ...face, jitter: [step] }, D))[SMILE]! - own < -1;
    }).filter(Boolean).length / 48;
    expect(lessSmiling({ East_Asian: 1 })).toBeLessThan(lessSmiling({ Black: 1 }) - 0.05); // 27% against 35% (plain words: 17%)
  });

  it('is deterministic: the same seed and words give the same pick', async () => {
    const a = await searchSeed({ seed: 42, edits: [words] }, axes, reader());
    const b = await searchSeed({ seed: 42, edits: [words] }, axes, reader());
    expect(a!.start).toEqual(b!.start);
    expect(a!.start).toEqual({ version: 1, set: 0, pick: expect.any(Number) });
  });

  it('does not search words with nothing to rank by (steps only): the face keeps its seed', async () => {
    const more: Edit = { text: 'more smile', weights: { Smiling: 1 }, mode: { Smiling: 'step' }, locks: [] };
    expect(await searchSeed({ seed: 1, edits: [more] }, axes, reader())).toBeUndefined();
  });

  it('a face starts from its recorded pick; a face without one (stored before the search) from its seed, as before', () => {
    const start = { version: 1 as const, set: 2, pick: 5 };
    expect(Array.from(seedLatent({ seed: 9, edits: [{ ...words, start }] }, D))).toEqual(Array.from(candidateLatent(9, 2, 5, D)));
    expect(Array.from(seedLatent({ seed: 9, edits: [words] }, D))).toEqual(Array.from(seedToLatent(9, D)));
  });
});

describe('vary chooses each neighbour\'s step by the words', () => {
  it('picks steps whose neighbours keep the words better than an unchosen step, and stores them as plain vary steps', async () => {
    const base = { seed: 3, edits: [words], truncation: 1 };
    const startMiss = async (jitter: { seed: number; scale: number }) =>
      missing((await reader()([keepInRange(truncate(seedLatent({ ...base, jitter: [jitter] }, D), 1))]))[0]!);
    let chosen = 0;
    let unchosen = 0;
    for (let s = 0; s < 20; s++) {
      const step = searchStep(base, 1000 + s, 0.5, axes);
      expect(step.scale).toBe(0.5);
      expect(searchStep(base, 1000 + s, 0.5, axes)).toEqual(step); // deterministic
      chosen += await startMiss(step);
      unchosen += await startMiss({ seed: candidateSeed(1000 + s, 0, 0), scale: 0.5 });
    }
    expect(chosen).toBeLessThan(0.8 * unchosen);
  });
});

class WorldScorer implements FaceScorer {
  private readonly world = reader();
  read(zs: Float32Array[]): Promise<FaceReading[]> {
    return this.world(zs);
  }
  async scoreLatent(z: Float32Array): Promise<Float32Array> {
    return (await this.world([z]))[0]!.logits.map((l) => 1 / (1 + Math.exp(-l)));
  }
}

const face = (r: EngineReply) => {
  if (r.kind !== 'face') throw new Error(`expected a face: ${r.text}`);
  return r;
};

describe('the engine searches new faces', () => {
  const setup = () => {
    const store = new FakeStore();
    const renderer = new FakeRenderer();
    const engine = createEngine({ store, renderer, scorer: new WorldScorer(), axes, model: 'm', random: () => 0.3, now: () => 1 });
    return { store, renderer, engine };
  };

  it('stores the pick with the face, redraws it identically from the record, and refines keep it (the same person)', async () => {
    const { engine, store, renderer } = setup();
    const first = face(await engine.describe({ userId: 'a' }, 'with glasses and a hat', 12345));
    const start = searchStart(first.face.edits);
    expect(start).toEqual({ version: 1, set: 0, pick: expect.any(Number) });
    const again = face(await engine.describe({ userId: 'b' }, 'with glasses and a hat', 12345));
    expect(searchStart(again.face.edits)).toEqual(start); // the same seed and words, the same face
    const stored = (await store.getFace(first.face.id))!;
    expect(Array.from((await steerFace(stored, axes, reader())).z)).toEqual(Array.from(renderer.calls[0]!));
    const refined = face(await engine.refine({ userId: 'a' }, 'smiling'));
    expect(searchStart(refined.face.edits)).toEqual(start);
    expect(refined.face.seed).toBe(12345);
  });

  it('a reroll moves to the seed\'s next candidate set; the pick-from-four grid searches each face', async () => {
    const { engine } = setup();
    const first = face(await engine.describe({ userId: 'a' }, 'with glasses and a hat', 777));
    const next = face(await engine.reroll({ userId: 'a' }));
    expect(next.face.seed).toBe(777);
    expect(searchStart(next.face.edits)).toEqual({ version: 1, set: 1, pick: expect.any(Number) });
    expect(next.caption).toMatch(/^another face/);
    const again = face(await engine.reroll({ userId: 'a' }));
    expect(searchStart(again.face.edits)!.set).toBe(2);
    void first;
    const four = await engine.describeFour!({ userId: 'a' }, 'with glasses and a hat', 50);
    if (four.kind !== 'grid') throw new Error('expected a grid');
    expect(four.faces.map((f) => searchStart(f.edits)?.set)).toEqual([0, 0, 0, 0]);
  });
});
