import { beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import type { ConversationEngine, EngineContext, EngineReply } from '../src/conversation/types.js';
import { axisGroups } from '../src/grammar/index.js';
import { faceLatent } from '../src/latent/edit.js';
import type { AxisSet } from '../src/latent/axes.js';
import type { FaceRecord } from '../src/face/record.js';
import { QueueFullError } from '../src/render/types.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer, FakeScorer, makeFakeAxes } from './helpers/fake-render.js';

const alice: EngineContext = { userId: 'alice' };
let store: FakeStore;
let renderer: FakeRenderer;
let scorer: FakeScorer;
let axes: AxisSet;
let engine: ConversationEngine;
let randoms: number[];

function faceOf(reply: EngineReply): FaceRecord {
  if (reply.kind !== 'face') throw new Error(`expected a face, got text: ${reply.text}`);
  return reply.face;
}

function textOf(reply: EngineReply): Extract<EngineReply, { kind: 'text' }> {
  if (reply.kind !== 'text') throw new Error(`expected text, got face ${reply.face.id}`);
  return reply;
}

beforeEach(() => {
  store = new FakeStore();
  renderer = new FakeRenderer();
  scorer = new FakeScorer({ Smiling: 0.92, Male: 0.12, Attractive: 0.99, Eyeglasses: 0.7 });
  axes = makeFakeAxes(['Wearing_Necklace']);
  randoms = [0.25, 0.5, 0.75, 0.125];
  engine = createEngine({ store, renderer, scorer, axes, model: 'model-b', random: () => randoms.shift() ?? 0.9, now: () => 42 });
});

describe('describe', () => {
  it('renders a new face from the words, saves it and makes it current', async () => {
    const reply = await engine.describe(alice, 'smiling');
    const face = faceOf(reply);
    expect(face).toMatchObject({ ownerId: 'alice', seed: 0x40000000, parentId: null, createdAt: 42 });
    expect(face.edits).toHaveLength(1);
    expect(face.edits[0]?.text).toBe('smiling');
    expect(face.edits[0]?.weights.Smiling).toBeGreaterThan(0);
    expect(renderer.calls).toEqual([faceLatent(face, axes)]);
    expect(await store.getFace(face.id)).toEqual(face);
    expect(await store.getCurrentFaceId('alice')).toBe(face.id);
    if (reply.kind === 'face') {
      expect(reply.caption).not.toBe('');
      expect(reply.png.length).toBeGreaterThan(0);
    }
  });

  it('uses the given seed', async () => {
    expect(faceOf(await engine.describe(alice, 'smiling', 123)).seed).toBe(123);
  });

  it('reports unknown words alongside the face', async () => {
    const reply = await engine.describe(alice, 'smiling xyzzyq');
    faceOf(reply);
    expect(reply.kind === 'face' && reply.unknown.join(' ')).toContain('xyzzyq');
  });

  it('draws nothing when nothing is understood, and says which words were not', async () => {
    const reply = textOf(await engine.describe(alice, 'banana spaceship'));
    expect(reply.reason).toBe('nothing-understood');
    expect(reply.text).toContain('banana');
    expect(renderer.calls).toHaveLength(0);
    expect(store.faces.size).toBe(0);
  });

  it('answers empty text with help, not a face', async () => {
    const reply = textOf(await engine.describe(alice, '   '));
    expect(reply.reason).toBe('nothing-understood');
    expect(renderer.calls).toHaveLength(0);
  });

  it('rejects an out-of-range seed without rendering', async () => {
    expect(textOf(await engine.describe(alice, 'smiling', -1)).reason).toBe('error');
    expect(renderer.calls).toHaveLength(0);
  });
});

describe('refine', () => {
  it('keeps the seed, appends the edit and points at the parent', async () => {
    const first = faceOf(await engine.describe(alice, 'smiling'));
    const second = faceOf(await engine.refine(alice, 'older'));
    expect(second.seed).toBe(first.seed);
    expect(second.parentId).toBe(first.id);
    expect(second.edits.slice(0, 1)).toEqual(first.edits);
    expect(second.edits.map((e) => e.text)).toEqual(['smiling', 'older']);
    expect(renderer.calls.at(-1)).toEqual(faceLatent(second, axes));
    expect(await store.getCurrentFaceId('alice')).toBe(second.id);
    expect(await store.getFace(first.id)).toEqual(first);
  });

  it("takes a he/she word in a refinement as pointing at the face, not as asking for a gender", async () => {
    faceOf(await engine.describe(alice, 'a woman'));
    const younger = await engine.refine(alice, 'make him younger');
    const edit = faceOf(younger).edits.at(-1)!;
    expect(edit.weights.Male).toBeUndefined();
    expect(edit.weights.Young).toBeGreaterThan(0);
    expect(younger.kind === 'face' && younger.caption).not.toMatch(/\bman\b/);
    // a description takes it: "he" is the only word about the gender there
    expect(faceOf(await engine.describe(alice, 'he has a beard')).edits[0]!.weights.Male).toBeGreaterThan(0);
    // words about the gender, or a he/she word with nothing else, still ask for it
    faceOf(await engine.describe(alice, 'a woman'));
    expect(faceOf(await engine.refine(alice, 'make him a man')).edits.at(-1)!.weights.Male).toBeGreaterThan(0);
    expect(faceOf(await engine.refine(alice, 'make it a her')).edits.at(-1)!.weights.Male).toBeLessThan(0);
  });

  it('refines an older face when given its id', async () => {
    const first = faceOf(await engine.describe(alice, 'smiling'));
    await engine.refine(alice, 'older');
    const branch = faceOf(await engine.refine(alice, 'with glasses', first.id));
    expect(branch.parentId).toBe(first.id);
    expect(branch.edits.map((e) => e.text)).toEqual(['smiling', 'with glasses']);
  });

  it('describes a new face when the user has none', async () => {
    const face = faceOf(await engine.refine(alice, 'smiling'));
    expect(face.parentId).toBeNull();
    expect(face.edits).toHaveLength(1);
  });

  it('changes nothing when nothing is understood', async () => {
    const first = faceOf(await engine.describe(alice, 'smiling'));
    const reply = textOf(await engine.refine(alice, 'xyzzyq'));
    expect(reply.reason).toBe('nothing-understood');
    expect(renderer.calls).toHaveLength(1);
    expect(await store.getCurrentFaceId('alice')).toBe(first.id);
    expect(store.faces.size).toBe(1);
  });

  it('says so when the given face is unknown', async () => {
    expect(textOf(await engine.refine(alice, 'older', 'missing')).reason).toBe('no-face');
    expect(renderer.calls).toHaveLength(0);
  });

  it('applies two quick refines of one user one after the other', async () => {
    await engine.describe(alice, 'smiling');
    const [a, b] = await Promise.all([engine.refine(alice, 'older'), engine.refine(alice, 'with glasses')]);
    expect(faceOf(b).parentId).toBe(faceOf(a).id);
    expect(faceOf(b).edits).toHaveLength(3);
  });

  it('keeps users apart', async () => {
    const mine = faceOf(await engine.describe(alice, 'smiling'));
    const theirs = faceOf(await engine.refine({ userId: 'bob' }, 'older'));
    expect(theirs.parentId).toBeNull();
    expect(await store.getCurrentFaceId('alice')).toBe(mine.id);
  });
});

describe('reroll', () => {
  it('keeps the edits and changes the seed', async () => {
    const first = faceOf(await engine.describe(alice, 'smiling'));
    await engine.refine(alice, 'older');
    const current = faceOf(await engine.refine(alice, 'with glasses'));
    const rolled = faceOf(await engine.reroll(alice));
    expect(rolled.edits).toEqual(current.edits);
    expect(rolled.seed).not.toBe(current.seed);
    expect(rolled.seed).not.toBe(first.seed);
    expect(rolled.parentId).toBe(current.id);
    expect(renderer.calls.at(-1)).toEqual(faceLatent(rolled, axes));
  });

  it('picks another seed even when the random source repeats itself', async () => {
    engine = createEngine({ store, renderer, scorer, axes, model: 'model-b', random: () => 0.5 });
    const first = faceOf(await engine.describe(alice, 'smiling'));
    expect(faceOf(await engine.reroll(alice)).seed).not.toBe(first.seed);
  });

  it('needs a face', async () => {
    expect(textOf(await engine.reroll(alice)).reason).toBe('no-face');
  });
});

describe('undo and reset', () => {
  it('goes back to the parent and re-renders it', async () => {
    const first = faceOf(await engine.describe(alice, 'smiling'));
    await engine.refine(alice, 'older');
    const back = faceOf(await engine.undo(alice));
    expect(back).toEqual(first);
    expect(renderer.calls.at(-1)).toEqual(renderer.calls[0]);
    expect(await store.getCurrentFaceId('alice')).toBe(first.id);
    expect(store.faces.size).toBe(2);
  });

  it('undoes a reroll back to the old seed', async () => {
    const first = faceOf(await engine.describe(alice, 'smiling'));
    await engine.reroll(alice);
    expect(faceOf(await engine.undo(alice)).seed).toBe(first.seed);
  });

  it('has nothing to undo on a first version or without a face', async () => {
    expect(textOf(await engine.undo(alice)).reason).toBe('nothing-to-undo');
    await engine.describe(alice, 'smiling');
    expect(textOf(await engine.undo(alice)).reason).toBe('nothing-to-undo');
    expect(renderer.calls).toHaveLength(1);
  });

  it('reset forgets the current face, so the next words start a new one', async () => {
    await engine.describe(alice, 'smiling');
    expect(textOf(await engine.reset(alice)).reason).toBe('info');
    expect(await store.getCurrentFaceId('alice')).toBeUndefined();
    expect(faceOf(await engine.refine(alice, 'older')).parentId).toBeNull();
  });
});

describe('explain and axes', () => {
  it('lists what the classifier sees in the face, most confident first', async () => {
    const face = faceOf(await engine.describe(alice, 'smiling'));
    const reply = textOf(await engine.explain(alice));
    expect(scorer.calls).toEqual([faceLatent(face, axes)]);
    const labels = new Map(axisGroups().flatMap((g) => g.attributes).map((a) => [a.name, a.label]));
    expect(reply.text).toMatch(/^I see: /);
    expect(reply.text).toContain(`${labels.get('Smiling')} (92%)`);
    expect(reply.text).toContain('woman (88%)');
    expect(reply.text.indexOf('(92%)')).toBeLessThan(reply.text.indexOf('(70%)'));
    expect(reply.text).not.toContain('99%');
  });

  it('needs a face', async () => {
    expect(textOf(await engine.explain(alice)).reason).toBe('no-face');
  });

  it('groups the controls and marks weak axes', () => {
    const help = engine.axesHelp();
    const labels = new Map(axisGroups().flatMap((g) => g.attributes).map((a) => [a.name, a.label]));
    expect(help).toContain(`${labels.get('Wearing_Necklace')} (weak)`);
    expect(help).not.toContain(`${labels.get('Smiling')} (weak)`);
    for (const group of axisGroups()) expect(help).toContain(group.group);
  });
});

describe('errors', () => {
  it('propagates render errors and keeps the previous face current', async () => {
    const first = faceOf(await engine.describe(alice, 'smiling'));
    renderer.failWith = new QueueFullError(64);
    await expect(engine.refine(alice, 'older')).rejects.toBeInstanceOf(QueueFullError);
    expect(await store.getCurrentFaceId('alice')).toBe(first.id);
    expect(store.faces.size).toBe(1);
    renderer.failWith = undefined;
    expect(faceOf(await engine.refine(alice, 'older')).parentId).toBe(first.id);
  });
});

describe('which model drew a face, and how typical it is', () => {
  it('records the generator fingerprint and the default truncation on every new face', async () => {
    const face = faceOf(await engine.describe(alice, 'smiling'));
    expect(face).toMatchObject({ model: 'model-b', truncation: 1 });
    engine = createEngine({ store, renderer, scorer, axes, model: 'model-c', truncation: 0.8, random: () => 0.3 });
    const other = faceOf(await engine.describe(alice, 'smiling'));
    expect(other).toMatchObject({ model: 'model-c', truncation: 0.8 });
    expect(renderer.calls.at(-1)).toEqual(faceLatent(other, axes));
    expect(renderer.calls.at(-1)).not.toEqual(faceLatent({ ...other, truncation: 1 }, axes));
  });

  it('says so when refining or undoing to a face an earlier generator drew, and redraws it with the current one', async () => {
    const old = { ...faceOf(await engine.describe(alice, 'smiling')), id: 'old', model: 'model-a', parentId: null };
    await store.saveFace(old);
    await store.setCurrentFaceId('alice', 'old');
    const refined = await engine.refine(alice, 'older');
    expect(refined.kind === 'face' && refined.notes.join(' ')).toMatch(/earlier version of the face models/);
    expect(faceOf(refined).model).toBe('model-b');
    const undone = await engine.undo(alice);
    expect(faceOf(undone).id).toBe('old');
    expect(undone.kind === 'face' && undone.notes.join(' ')).toMatch(/earlier version/);
    expect(textOf(await engine.explain(alice)).text).toMatch(/earlier version/);
  });

  it('words the note more softly for a face stored before models were recorded', async () => {
    const old = { ...faceOf(await engine.describe(alice, 'smiling')), id: 'legacy', model: null, parentId: null };
    await store.saveFace(old);
    await store.setCurrentFaceId('alice', 'legacy');
    const refined = await engine.refine(alice, 'older');
    expect(refined.kind === 'face' && refined.notes.join(' ')).toMatch(/before model versions were recorded/);
  });

  it('adds no such note for a face the current generator drew', async () => {
    faceOf(await engine.describe(alice, 'smiling'));
    const refined = await engine.refine(alice, 'older');
    expect(refined.kind === 'face' && refined.notes.join(' ')).not.toMatch(/earlier version/);
    expect(textOf(await engine.explain(alice)).text).not.toMatch(/earlier version/);
  });

  it('lets words choose the truncation, keeps it through refine and reroll, and undo brings the old one back', async () => {
    const typical = await engine.describe(alice, 'a more typical smiling woman');
    expect(faceOf(typical).truncation).toBeLessThan(1);
    expect(typical.kind === 'face' && typical.caption).toMatch(/typical/);
    expect(faceOf(await engine.refine(alice, 'older')).truncation).toBe(faceOf(typical).truncation);
    expect(faceOf(await engine.reroll(alice)).truncation).toBe(faceOf(typical).truncation);
    const unusual = faceOf(await engine.refine(alice, 'an unusual face'));
    expect(unusual.truncation).toBeGreaterThan(faceOf(typical).truncation);
    expect(unusual.edits).toHaveLength(3);
    expect(faceOf(await engine.undo(alice)).truncation).toBe(faceOf(typical).truncation);
  });

  it('takes typicality alone as a request, not as nothing understood', async () => {
    const reply = await engine.describe(alice, 'a very typical face');
    expect(faceOf(reply).truncation).toBeLessThan(0.6);
  });
});

describe('a refine that changes nothing (issue 13 item 9)', () => {
  it('asking again for what the face has draws nothing and says nothing changed', async () => {
    const first = faceOf(await engine.describe(alice, 'smiling'));
    const reply = textOf(await engine.refine(alice, 'smiling'));
    expect(reply.reason).toBe('nothing-changed');
    expect(reply.text).toMatch(/^Nothing changed: the face already is what "smiling" asks for/);
    expect(renderer.calls).toHaveLength(1);
    expect(store.faces.size).toBe(1);
    expect(await store.getCurrentFaceId('alice')).toBe(first.id);
  });

  it('"more smile" past the limit stops changing the face, and says so', async () => {
    await engine.describe(alice, 'smiling');
    const replies: EngineReply[] = [];
    for (let i = 0; i < 12 && replies.at(-1)?.kind !== 'text'; i++) replies.push(await engine.refine(alice, 'much more smiling'));
    expect(replies.slice(0, -1).every((r) => r.kind === 'face')).toBe(true);
    expect(replies.length).toBeGreaterThan(1);
    expect(textOf(replies.at(-1)!).reason).toBe('nothing-changed');
  });

  it('a new lock alone still counts as a change (it holds later edits)', async () => {
    await engine.describe(alice, 'smiling');
    expect(faceOf(await engine.refine(alice, 'keep the gender')).edits.at(-1)?.locks).toEqual(['Male']);
    expect(textOf(await engine.refine(alice, 'keep the gender')).reason).toBe('nothing-changed');
  });
});

describe("someone else's face (issue 13 item 7)", () => {
  it("refining another user's face makes the actor their own copy; the owner's face and current face stay", async () => {
    const mine = faceOf(await engine.describe(alice, 'smiling'));
    const copy = await engine.refine({ userId: 'bob' }, 'older', mine.id);
    expect(faceOf(copy)).toMatchObject({ ownerId: 'bob', parentId: mine.id, seed: mine.seed });
    expect(copy.kind === 'face' && copy.notes.join(' ')).toMatch(/your own copy/);
    expect(await store.getCurrentFaceId('alice')).toBe(mine.id);
    expect(await store.getCurrentFaceId('bob')).toBe(faceOf(copy).id);
    expect(await store.getFace(mine.id)).toEqual(mine);
    const own = await engine.refine(alice, 'with glasses');
    expect(own.kind === 'face' && own.notes.join(' ')).not.toMatch(/copy/);
  });
});

describe('undo from a button under a face (the rule lives in the engine)', () => {
  it('undoes only your own current face', async () => {
    const first = faceOf(await engine.describe(alice, 'smiling'));
    const second = faceOf(await engine.refine(alice, 'older'));
    expect(textOf(await engine.undo({ userId: 'bob' }, second.id)).text).toMatch(/^Only the person who made this face can undo it/);
    expect(textOf(await engine.undo(alice, first.id)).text).toMatch(/this is an older one/);
    expect(textOf(await engine.undo(alice, 'missing')).reason).toBe('no-face');
    expect(await store.getCurrentFaceId('alice')).toBe(second.id);
    expect(faceOf(await engine.undo(alice, second.id)).id).toBe(first.id);
    expect(await store.getCurrentFaceId('alice')).toBe(first.id);
  });
});

describe('forget (issue 13 item 8, issue 29 item 1)', () => {
  it("deletes the user's faces, others' copies of them, their current faces and links, and says exactly what", async () => {
    const first = faceOf(await engine.describe(alice, 'my ex from 42 Elm Street, smiling'));
    const second = faceOf(await engine.refine(alice, 'older'));
    await engine.linkMessage('m1', first.id);
    await engine.linkMessage('m2', second.id);
    const bobsCopy = faceOf(await engine.refine({ userId: 'bob' }, 'with glasses', second.id));
    const bobsReroll = faceOf(await engine.reroll({ userId: 'bob' }, second.id));
    const bobsOwn = faceOf(await engine.describe({ userId: 'bob' }, 'a woman'));
    await engine.linkMessage('m3', bobsCopy.id);

    const reply = textOf(await engine.forget(alice));
    expect(reply.reason).toBe('info');
    expect(reply.text).toMatch(
      /^Deleted everything stored about you: 2 faces of yours \(one was your current face\), 2 faces that 1 other person made from yours \(copies, rerolls, mixes or analogies: each held your words or your face's latent\) and 3 links from posted messages to these faces\./,
    );
    expect([...store.faces.keys()]).toEqual([bobsOwn.id]);
    expect(JSON.stringify([...store.faces.values()])).not.toMatch(/Elm Street/);
    expect(bobsReroll.edits[0]!.text).toMatch(/Elm Street/); // the reroll held alice's words
    expect(await store.getCurrentFaceId('alice')).toBeUndefined();
    for (const m of ['m1', 'm2', 'm3']) expect(await engine.faceForMessage(m)).toBeUndefined();
    // alice starts over
    expect(faceOf(await engine.refine(alice, 'smiling')).parentId).toBeNull();
    expect(textOf(await engine.forget({ userId: 'carol' })).text).toMatch(/^Nothing was stored about you/);
  });
});

describe('one door: messages, the current face, explain in the render queue', () => {
  it('links posted messages to faces and finds them again', async () => {
    const face = faceOf(await engine.describe(alice, 'smiling'));
    await engine.linkMessage('m1', face.id);
    expect(await engine.faceForMessage('m1')).toBe(face.id);
    expect(await engine.faceForMessage('m2')).toBeUndefined();
  });

  it('tells the current face and its edits as a caption', async () => {
    expect(await engine.currentFace(alice)).toBeUndefined();
    const face = faceOf(await engine.describe(alice, 'smiling'));
    const current = await engine.currentFace(alice);
    expect(current?.face).toEqual(face);
    expect(current?.caption).not.toBe('');
  });

  it("explain's F pass runs in the render queue's line: its capacity and position reports apply", async () => {
    await engine.describe(alice, 'smiling');
    const positions: number[] = [];
    const before = renderer.tasks; // the describe's steering ran in the line too
    textOf(await engine.explain({ userId: 'alice', onQueued: (p) => positions.push(p) }));
    expect(renderer.tasks - before).toBe(1);
    expect(positions).toEqual([1]);
    renderer.failWith = new QueueFullError(64);
    await expect(engine.explain(alice)).rejects.toBeInstanceOf(QueueFullError);
  });
});
