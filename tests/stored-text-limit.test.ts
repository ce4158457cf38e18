import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import type { EngineReply } from '../src/conversation/types.js';
import { MAX_STORED_TEXT } from '../src/conversation/limits.js';
import { readPngText } from '../src/render/png-label.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer, FakeScorer, makeFakeAxes } from './helpers/fake-render.js';

function face(reply: EngineReply): Extract<EngineReply, { kind: 'face' }> {
  if (reply.kind !== 'face') throw new Error(`expected a face, got: ${reply.text}`);
  return reply;
}

describe('a long message is not stored whole (issue 29 item 6)', () => {
  const long = `smiling, glasses ${'and a very long story '.repeat(5000)}`; // ~110 kB

  it('keeps the first MAX_STORED_TEXT characters in the face, its descendants and its PNG, and says so', async () => {
    const store = new FakeStore();
    const engine = createEngine({ store, renderer: new FakeRenderer(), scorer: new FakeScorer({}), axes: makeFakeAxes([]), model: 'm' });
    const first = face(await engine.describe({ userId: 'a' }, long));
    expect(first.face.edits[0]!.text.length).toBeLessThanOrEqual(MAX_STORED_TEXT);
    expect(first.face.edits[0]!.text.startsWith('smiling, glasses')).toBe(true);
    expect(first.face.edits[0]!.weights.Smiling).toBeGreaterThan(0);
    expect(first.notes.join(' ')).toMatch(/keeps its first 500/);

    const second = face(await engine.refine({ userId: 'a' }, 'older'));
    const stored = JSON.stringify(await store.getFace(second.face.id));
    expect(stored.length).toBeLessThan(4 * MAX_STORED_TEXT);
    const label = Object.values(readPngText(second.png)).join('').length;
    expect(label).toBeLessThan(8 * MAX_STORED_TEXT);
    expect(second.notes.join(' ')).not.toMatch(/keeps its first/);
  });

  it('keeps a short message exactly as typed', async () => {
    const engine = createEngine({ store: new FakeStore(), renderer: new FakeRenderer(), scorer: new FakeScorer({}), axes: makeFakeAxes([]), model: 'm' });
    const reply = face(await engine.describe({ userId: 'a' }, '  an old man, smiling  '));
    expect(reply.face.edits[0]!.text).toBe('an old man, smiling');
    expect(reply.notes.join(' ')).not.toMatch(/keeps its first/);
  });
});
