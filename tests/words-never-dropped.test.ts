import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import type { EngineReply } from '../src/conversation/types.js';
import { parseDescription } from '../src/grammar/index.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer, FakeScorer, makeFakeAxes } from './helpers/fake-render.js';

/** Issue 27: every word that changes nothing is either understood or named as not understood. */

function setup() {
  const store = new FakeStore();
  const engine = createEngine({
    store, renderer: new FakeRenderer(), scorer: new FakeScorer({}), axes: makeFakeAxes(), model: 'm', random: () => 0.5, now: () => 1,
  });
  return { store, engine };
}

const textOf = (r: EngineReply) => {
  if (r.kind !== 'text') throw new Error(`expected text, got face ${r.face.id}`);
  return r.text;
};

describe('"kind" said of a face', () => {
  it('is read as a kind look (a gentle smile), as "kindly" and "kind eyes" are', () => {
    for (const words of ['make him look kind', 'she looks kind', 'a kind old man']) {
      const parse = parseDescription(words);
      expect(parse.weights.Smiling, words).toBeGreaterThan(0);
      expect(parse.unknown, words).toEqual([]);
    }
  });

  it('still means "somewhat" in "kind of" and nothing in "what kind of face"', () => {
    expect(parseDescription('kind of old').weights).toEqual({ Young: expect.any(Number) });
    expect(parseDescription('kind of old').weights.Young).toBeLessThan(0);
    expect(parseDescription('what kind of face is this').weights).toEqual({});
  });

  it('"make him look kind" changes a man\'s face (it used to answer "Nothing changed")', async () => {
    const { engine } = setup();
    const first = await engine.describe({ userId: 'a' }, 'a man');
    const reply = await engine.refine({ userId: 'a' }, 'make him look kind');
    expect(reply.kind).toBe('face');
    if (reply.kind === 'face' && first.kind === 'face') expect(reply.face.parentId).toBe(first.face.id);
  });
});

describe('a refine that changes nothing says what its words were read as', () => {
  it('so a passed-over word shows ("make him look nice" read as: man)', async () => {
    const { engine } = setup();
    await engine.describe({ userId: 'a' }, 'a man');
    const said = textOf(await engine.refine({ userId: 'a' }, 'make him look nice'));
    expect(said).toMatch(/^Nothing changed/);
    expect(said).toMatch(/I read it as: man\b/);
  });
});
