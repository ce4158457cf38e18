import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import type { EngineReply } from '../src/conversation/types.js';
import { ATTRIBUTES, attributeIndex } from '../src/face/attributes.js';
import { faceLatent } from '../src/latent/edit.js';
import { steerFace, type FaceReading } from '../src/latent/steer.js';
import { dot } from '../src/latent/vector.js';
import type { FaceScorer } from '../src/render/types.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer, makeFakeAxes } from './helpers/fake-render.js';

const axes = makeFakeAxes();
const hat = attributeIndex('Wearing_Hat');

/** F on the fake axes: each logit is 1.2 x the face's coordinate on its axis; hats never pass 0.2; age 30 + 5 x Young's coordinate. */
class ReadingScorer implements FaceScorer {
  reads = 0;
  async read(zs: Float32Array[]): Promise<FaceReading[]> {
    this.reads += zs.length;
    return zs.map((z) => {
      const logits = Float32Array.from(ATTRIBUTES, (name) => 1.2 * dot(z, axes.require(name).vector));
      logits[hat] = Math.min(0.2, logits[hat]!);
      return { logits, age: 30 - 5 * dot(z, axes.require('Young').vector) };
    });
  }
  async scoreLatent(z: Float32Array): Promise<Float32Array> {
    return (await this.read([z]))[0]!.logits.map((l) => 1 / (1 + Math.exp(-l)));
  }
}

function setup() {
  const store = new FakeStore();
  const renderer = new FakeRenderer();
  const scorer = new ReadingScorer();
  const engine = createEngine({ store, renderer, scorer, axes, model: 'm', random: () => 0.3, now: () => 1 });
  return { store, renderer, scorer, engine };
}

const face = (r: EngineReply) => {
  if (r.kind !== 'face') throw new Error(`expected a face: ${r.text}`);
  return r;
};

describe('the engine steers edits with F when the scorer reads faces', () => {
  it('renders the steered latent, not the linear one, and reads the face to do it', async () => {
    const { renderer, scorer, engine } = setup();
    // a step ("more ...") is relative, so the seed search leaves the seed as it is and the loop does all the work
    const reply = face(await engine.describe({ userId: 'a' }, 'more glasses'));
    expect(reply.face.edits[0]!.start).toBeUndefined();
    expect(scorer.reads).toBeGreaterThan(1);
    const steered = await steerFace(reply.face, axes, (zs) => new ReadingScorer().read(zs));
    expect(renderer.calls).toEqual([steered.z]);
    expect(Array.from(renderer.calls[0]!)).not.toEqual(Array.from(faceLatent(reply.face, axes)));
  });

  it('says in the reply when the words asked for more than the model can draw', async () => {
    const { engine } = setup();
    const reply = face(await engine.describe({ userId: 'a' }, 'a man wearing a hat'));
    expect(reply.notes.join(' ')).toMatch(/hat.*: weak in this model/);
    const fine = face(await engine.describe({ userId: 'b' }, 'smiling'));
    expect(fine.notes.join(' ')).not.toMatch(/weak in this model/);
  });

  it('explain says the estimated age of the face as drawn', async () => {
    const { engine } = setup();
    face(await engine.describe({ userId: 'a' }, 'smiling'));
    const reply = await engine.explain({ userId: 'a' });
    expect(reply.kind).toBe('text');
    if (reply.kind === 'text') expect(reply.text).toMatch(/about \d+ years old/);
  });

  it('stores the age the words asked for with the edit', async () => {
    const { engine, store } = setup();
    const reply = face(await engine.describe({ userId: 'a' }, 'a 70 year old man'));
    expect(reply.face.edits[0]!.age).toEqual({ mode: 'exact', years: 70 });
    expect((await store.getFace(reply.face.id))!.edits[0]!.age).toEqual({ mode: 'exact', years: 70 });
  });
});

describe('shortfall wording', () => {
  it('says a missed goal the way it was asked for ("woman 79%", not "man 21%")', async () => {
    const { shortfallText } = await import('../src/conversation/wording.js');
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(shortfallText({ name: 'Male', wanted: -1.5, reached: logit(0.21), direction: 'down' })).toBe(
      'woman: weak in this model, it only got so far (woman 79%)',
    );
    expect(shortfallText({ name: 'Eyeglasses', wanted: 1.5, reached: logit(0.42), direction: 'up' })).toMatch(/\(glasses 42%\)$/);
    // the back-off kept the gender: said so, and the goal's name still leads (the grid groups by it)
    const beard = shortfallText({ name: 'No_Beard', wanted: -1.5, reached: logit(0.7), direction: 'down', heldBack: ['Male'] });
    expect(beard).toBe('beard: weak in this model without changing the gender, it only got so far (beard 30%)');
    expect(shortfallText({ name: 'Age', wanted: 60, reached: 48, direction: 'up', heldBack: ['Male', 'Age'] }))
      .toMatch(/^older ages are weak in this model without changing the gender or the age: the face reads about 48/);
    // G draws it on the other gender only: said, with or without a hold that won
    const earrings = { name: 'Wearing_Earrings' as const, wanted: 1.5, reached: logit(0.17), direction: 'up' as const, drawnOn: 'women' as const };
    expect(shortfallText(earrings)).toBe("earrings: weak in this model on men's faces (it draws it on women's), it only got so far (earrings 17%)");
    expect(shortfallText({ ...earrings, heldBack: ['Male'] }))
      .toBe("earrings: weak in this model without changing the gender (it draws it on women's faces), it only got so far (earrings 17%)");
  });

  it('a grid gathers the four faces\' shortfalls into one note per goal', async () => {
    const { gridShortfalls } = await import('../src/conversation/wording.js');
    const notes = gridShortfalls([
      ['glasses: weak in this model, it only got so far (glasses 33%)', 'woman: weak in this model, it only got so far (woman 79%)'],
      ['glasses: weak in this model, it only got so far (glasses 42%)'],
      [],
      ['glasses: weak in this model, it only got so far (glasses 13%)'],
    ]);
    expect(notes).toEqual([
      'glasses: weak in this model (short on 3 of 4 faces)',
      'woman: weak in this model, it only got so far (woman 79%)',
    ]);
  });
});
