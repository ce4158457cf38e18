import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import type { EngineReply } from '../src/conversation/types.js';
import { noticeable, shortfallNotes } from '../src/conversation/wording.js';
import { ATTRIBUTES, attributeIndex } from '../src/face/attributes.js';
import type { FaceReading } from '../src/latent/steer.js';
import { dot } from '../src/latent/vector.js';
import type { FaceScorer } from '../src/render/types.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer, makeFakeAxes } from './helpers/fake-render.js';

const axes = makeFakeAxes();
const logit = (p: number) => Math.log(p / (1 - p));

/** F on the fake axes (1.2 x each coordinate), with some attributes capped: G cannot draw more of them. */
class CappedScorer implements FaceScorer {
  constructor(private readonly caps: Partial<Record<string, number>>) {}
  async read(zs: Float32Array[]): Promise<FaceReading[]> {
    return zs.map((z) => {
      const logits = Float32Array.from(ATTRIBUTES, (name) => 1.2 * dot(z, axes.require(name).vector));
      for (const [name, cap] of Object.entries(this.caps)) {
        const i = attributeIndex(name as (typeof ATTRIBUTES)[number]);
        logits[i] = Math.min(cap!, logits[i]!);
      }
      return { logits, age: 30 - 5 * dot(z, axes.require('Young').vector) };
    });
  }
  async scoreLatent(z: Float32Array): Promise<Float32Array> {
    return (await this.read([z]))[0]!.logits.map((l) => 1 / (1 + Math.exp(-l)));
  }
}

function engineWith(caps: Partial<Record<string, number>>) {
  return createEngine({
    store: new FakeStore(), renderer: new FakeRenderer(), scorer: new CappedScorer(caps), axes, model: 'm', random: () => 0.3, now: () => 1,
  });
}

const notes = (r: EngineReply) => {
  if (r.kind !== 'face') throw new Error(`expected a face: ${r.text}`);
  return r.notes.join(' · ');
};

describe('"weak in this model" is said only where the face shows it', () => {
  it('not for a man whom F reads as 81% man (the goal was 82%)', async () => {
    const engine = engineWith({ Male: logit(0.81) });
    expect(notes(await engine.describe({ userId: 'a' }, 'a man'))).not.toMatch(/weak/);
  });

  it('not for "more smile" on a face that already reads 93% smiling', async () => {
    const engine = engineWith({ Smiling: logit(0.93) });
    const first = notes(await engine.describe({ userId: 'a' }, 'very smiling'));
    expect(first).not.toMatch(/weak/);
    expect(notes(await engine.refine({ userId: 'a' }, 'more smile'))).not.toMatch(/weak/);
  });

  it('still for a goal the face plainly misses (a hat that reads 55%)', async () => {
    const engine = engineWith({ Wearing_Hat: logit(0.55) });
    expect(notes(await engine.describe({ userId: 'a' }, 'wearing a hat'))).toMatch(/hat.*: weak in this model.*\(.*55%\)/);
  });

  it('an age a year short of a floor is no news; five years short is', () => {
    expect(noticeable({ name: 'Age', wanted: 42.4, reached: 41.6, direction: 'up' })).toBe(false);
    expect(shortfallNotes([{ name: 'Age', wanted: 42, reached: 37, direction: 'up' }])).toEqual([
      'older ages are weak in this model: the face reads about 37 (asked for at least 42)',
    ]);
    expect(noticeable({ name: 'Age', wanted: 70, reached: 52, direction: 'exact' })).toBe(true);
  });

  it('"less" and "no" goals are judged the same way', () => {
    expect(noticeable({ name: 'Eyeglasses', wanted: logit(0.18), reached: logit(0.05), direction: 'down' })).toBe(false);
    expect(noticeable({ name: 'Eyeglasses', wanted: logit(0.18), reached: logit(0.19), direction: 'down' })).toBe(false);
    expect(noticeable({ name: 'Eyeglasses', wanted: logit(0.18), reached: logit(0.6), direction: 'down' })).toBe(true);
  });
});
