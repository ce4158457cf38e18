import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import { MAX_EDITS } from '../src/conversation/limits.js';
import type { EngineReply } from '../src/conversation/types.js';
import { ATTRIBUTES } from '../src/face/attributes.js';
import type { Edit } from '../src/face/record.js';
import { BACKOFF, MAX_PASSES, steerFace, type FaceReading } from '../src/latent/steer.js';
import { SteerCache, steerFaceCached } from '../src/latent/steer-cache.js';
import { dot } from '../src/latent/vector.js';
import { QueueFullError, type FaceScorer } from '../src/render/types.js';
import { makeFace } from './helpers/fake-face.js';
import { FakeRenderer, makeFakeAxes } from './helpers/fake-render.js';
import { FakeStore } from './helpers/fake-store.js';

const axes = makeFakeAxes();

/** F on the fake axes (as in engine-steer.test.ts): each logit 1.2 x the face's coordinate; age from Young. */
class ReadingScorer implements FaceScorer {
  reads = 0;
  async read(zs: Float32Array[]): Promise<FaceReading[]> {
    this.reads += zs.length;
    return zs.map((z) => ({
      logits: Float32Array.from(ATTRIBUTES, (name) => 1.2 * dot(z, axes.require(name).vector)),
      age: 30 - 5 * dot(z, axes.require('Young').vector),
    }));
  }
  async scoreLatent(z: Float32Array): Promise<Float32Array> {
    return (await this.read([z]))[0]!.logits.map((l) => 1 / (1 + Math.exp(-l)));
  }
}

const WORDS = ['older', 'smiling', 'with glasses', 'younger', 'no glasses', 'serious', 'a beard', 'no beard'];

function face(r: EngineReply) {
  if (r.kind !== 'face') throw new Error(`expected a face: ${r.text}`);
  return r;
}

describe('a request steers only its new edit (issue 29 item 2)', () => {
  it('the F reads of a refine do not grow with the length of the chain', async () => {
    const scorer = new ReadingScorer();
    const engine = createEngine({ store: new FakeStore(), renderer: new FakeRenderer(), scorer, axes, model: 'm', random: () => 0.3 });
    face(await engine.describe({ userId: 'a' }, 'a woman'));
    const readsPerRefine: number[] = [];
    for (let i = 0; i < 40; i++) {
      const before = scorer.reads;
      face(await engine.refine({ userId: 'a' }, WORDS[i % WORDS.length]!));
      readsPerRefine.push(scorer.reads - before);
    }
    const late = Math.max(...readsPerRefine.slice(-8));
    // at most the loop's own passes and one back-off batch, whatever the chain's length (the goals held from
    // earlier edits, docs/held-goals.md, may add the back-off on a later refine); before: every refine
    // replayed the whole chain (reads grew with it, 33 and more here)
    expect(late).toBeLessThanOrEqual(MAX_PASSES + BACKOFF.length);
  });

  it('gives exactly the latent that steering the whole chain gives', async () => {
    const edits: Edit[] = WORDS.map((w, i) => ({ text: w, weights: { [['Young', 'Smiling', 'Eyeglasses'][i % 3]!]: i % 2 ? 1 : -1 }, mode: {}, locks: i === 3 ? ['Male'] : [] }));
    const read = (zs: Float32Array[]) => new ReadingScorer().read(zs);
    const cache = new SteerCache();
    for (let n = 1; n <= edits.length; n++) {
      const f = makeFace({ seed: 77, edits: edits.slice(0, n) });
      const cached = await steerFaceCached(f, axes, read, cache);
      const whole = await steerFace(f, axes, read);
      expect(Array.from(cached.z)).toEqual(Array.from(whole.z));
      expect(cached.shortfalls).toEqual(whole.shortfalls);
    }
    expect(cache.hits).toBe(edits.length - 1);
  });
});

describe('the steering waits in the render queue (issue 29 item 2)', () => {
  it('a full queue refuses a new face before any G+F pass runs', async () => {
    const scorer = new ReadingScorer();
    const renderer = new FakeRenderer();
    renderer.runInLine = () => Promise.reject(new QueueFullError(1));
    const store = new FakeStore();
    const engine = createEngine({ store, renderer, scorer, axes, model: 'm' });
    await expect(engine.describe({ userId: 'a' }, 'smiling')).rejects.toBeInstanceOf(QueueFullError);
    await expect(engine.describeFour!({ userId: 'a' }, 'smiling')).rejects.toBeInstanceOf(QueueFullError);
    expect(scorer.reads).toBe(0);
    expect(store.faces.size).toBe(0);
  });
});

describe('a chain has a limit, and the reply says so (issue 29 item 2)', () => {
  it(`a refine of a face with ${MAX_EDITS} edits is refused with the reason; one below it works`, async () => {
    const store = new FakeStore();
    const engine = createEngine({ store, renderer: new FakeRenderer(), scorer: new ReadingScorer(), axes, model: 'm' });
    const edit: Edit = { text: 'older', weights: { Young: -1 }, mode: { Young: 'step' }, locks: [] };
    const full = makeFace({ ownerId: 'a', edits: Array(MAX_EDITS).fill(edit) });
    await store.saveFace(full);
    await store.setCurrentFaceId('a', full.id);
    const reply = await engine.refine({ userId: 'a' }, 'smiling');
    expect(reply).toMatchObject({ kind: 'text', reason: 'error' });
    expect(reply.kind === 'text' && reply.text).toMatch(new RegExp(`already has ${MAX_EDITS} edits.*nothing was done.*Describe a new face`));
    expect(store.faces.size).toBe(1);
    const almost = makeFace({ ownerId: 'b', edits: Array(MAX_EDITS - 1).fill(edit) });
    await store.saveFace(almost);
    expect(face(await engine.refine({ userId: 'b' }, 'smiling', almost.id)).face.edits).toHaveLength(MAX_EDITS);
  });

  it('a studio slider release on such a face is refused the same way', async () => {
    const store = new FakeStore();
    const engine = createEngine({ store, renderer: new FakeRenderer(), scorer: new ReadingScorer(), axes, model: 'm' });
    const edit: Edit = { text: 'older', weights: { Young: -1 }, mode: { Young: 'step' }, locks: [] };
    const full = makeFace({ ownerId: 'a', edits: Array(MAX_EDITS).fill(edit) });
    await store.saveFace(full);
    const reply = await engine.studio!({ userId: 'a' }, { action: 'set', faceId: full.id, sliders: { Smiling: 1 }, locks: [] });
    expect(reply).toMatchObject({ kind: 'text', reason: 'error' });
    expect(store.faces.size).toBe(1);
  });
});
