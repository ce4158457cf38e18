import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import { heldGoalsExplain, heldGoalsFor, heldGoalStatus, releaseHeldGoals } from '../src/conversation/held-goals.js';
import type { EngineReply } from '../src/conversation/types.js';
import { ATTRIBUTES, attributeIndex, type AttributeName } from '../src/face/attributes.js';
import type { Edit } from '../src/face/record.js';
import { parseDescription } from '../src/grammar/index.js';
import { LEVEL_LOGIT, type FaceReading } from '../src/latent/steer.js';
import { dot } from '../src/latent/vector.js';
import type { FaceScorer } from '../src/render/types.js';
import { openSqliteStore, type SqliteFaceStore } from '../src/store/sqlite-store.js';
import type { FaceStore } from '../src/store/types.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer, makeFakeAxes } from './helpers/fake-render.js';

/**
 * Issue 25 part 3: the goals of earlier edits stay. A tiny world: F reads each attribute as 1.2 x the face's
 * coordinate on its axis, except that shaving reads as losing the hat and the glasses (their logits fall by
 * 1 per unit of No_Beard's coordinate), the way the shipped models lost the hat after "no beard".
 */
const axes = makeFakeAxes();
const coord = (z: Float32Array, name: AttributeName) => dot(z, axes.require(name).vector);

class ShavingScorer implements FaceScorer {
  read = async (zs: Float32Array[]): Promise<FaceReading[]> => zs.map((z) => {
    const logits = Float32Array.from(ATTRIBUTES, (name) => 1.2 * coord(z, name));
    const shaved = coord(z, 'No_Beard');
    logits[attributeIndex('Wearing_Hat')]! -= shaved;
    logits[attributeIndex('Eyeglasses')]! -= shaved;
    return { logits, age: 30 - 5 * coord(z, 'Young') };
  });
  async scoreLatent(z: Float32Array): Promise<Float32Array> {
    return (await this.read([z]))[0]!.logits.map((l) => 1 / (1 + Math.exp(-l)));
  }
}

const scorer = new ShavingScorer();
function setup(store: FaceStore = new FakeStore(), seedAt = 0.55) {
  const renderer = new FakeRenderer();
  const engine = createEngine({ store, renderer, scorer, axes, model: 'm', random: () => seedAt, now: () => 1 });
  return { store, renderer, engine };
}

function face(r: EngineReply) {
  if (r.kind !== 'face') throw new Error(`expected a face: ${r.text}`);
  return r;
}

/** F's logits on the face the renderer drew last. */
async function lastRead(renderer: FakeRenderer): Promise<Float32Array> {
  return (await scorer.read([renderer.calls.at(-1)!]))[0]!.logits;
}
const logit = (logits: Float32Array, name: AttributeName) => logits[attributeIndex(name)]!;

const ctx = { userId: 'u' };

describe('what was asked before stays', () => {
  it.each([0.2, 0.55, 0.8])('"put a hat on him" → "add eyeglasses" → "no beard" keeps the hat and the glasses (seed at %s)', async (seedAt) => {
    const { engine, renderer } = setup(new FakeStore(), seedAt);
    face(await engine.describe(ctx, 'put a hat on him'));
    expect(logit(await lastRead(renderer), 'Wearing_Hat')).toBeGreaterThanOrEqual(LEVEL_LOGIT);
    face(await engine.refine(ctx, 'add eyeglasses'));
    const last = face(await engine.refine(ctx, 'no beard'));
    const f = await lastRead(renderer);
    expect(logit(f, 'No_Beard')).toBeGreaterThanOrEqual(LEVEL_LOGIT);
    expect(logit(f, 'Wearing_Hat')).toBeGreaterThanOrEqual(LEVEL_LOGIT);
    expect(logit(f, 'Eyeglasses')).toBeGreaterThanOrEqual(LEVEL_LOGIT);
    expect(last.face.edits.at(-1)!.held?.goals.map((g) => g.name).sort()).toEqual(['Eyeglasses', 'Male', 'Wearing_Hat']);
  });

  it('"no hat" after "put a hat on him" takes the hat off (the same axis named again overrides the goal)', async () => {
    const { engine, renderer } = setup();
    face(await engine.describe(ctx, 'put a hat on him'));
    const off = face(await engine.refine(ctx, 'no hat'));
    expect(off.face.edits.at(-1)!.held?.goals.map((g) => g.name)).not.toContain('Wearing_Hat');
    expect(logit(await lastRead(renderer), 'Wearing_Hat')).toBeLessThanOrEqual(-LEVEL_LOGIT);
  });

  it('undo drops the goal with its edit', async () => {
    const { engine, renderer } = setup();
    face(await engine.describe(ctx, 'put a hat on him'));
    face(await engine.refine(ctx, 'add eyeglasses'));
    face(await engine.undo(ctx));
    const shaved = face(await engine.refine(ctx, 'no beard'));
    const held = shaved.face.edits.at(-1)!.held?.goals.map((g) => g.name);
    expect(held).toContain('Wearing_Hat');
    expect(held).not.toContain('Eyeglasses');
    expect(logit(await lastRead(renderer), 'Wearing_Hat')).toBeGreaterThanOrEqual(LEVEL_LOGIT);
  });

  it('a lock released in the studio drops the goals held on its axis', async () => {
    const { engine } = setup();
    const hat = face(await engine.describe(ctx, 'put a hat on him'));
    expect((await engine.studio!(ctx, { action: 'set', faceId: hat.face.id, sliders: {}, locks: ['Wearing_Hat'] })).kind).toBe('studio');
    const glasses = face(await engine.refine(ctx, 'add eyeglasses'));
    expect(glasses.face.edits.at(-1)!.held?.goals.map((g) => g.name)).toEqual(['Wearing_Hat', 'Male']);
    const released = await engine.studio!(ctx, { action: 'set', faceId: glasses.face.id, sliders: {}, locks: [] });
    if (released.kind !== 'studio') throw new Error(`expected a studio face: ${JSON.stringify(released)}`);
    expect(released.state.face.edits.at(-1)!.held?.goals.map((g) => g.name)).toEqual(['Male']);
  });

  it('explain names the goals held from earlier edits and whether F reads them met', async () => {
    const { engine } = setup();
    face(await engine.describe(ctx, 'put a hat on him'));
    face(await engine.refine(ctx, 'add eyeglasses'));
    face(await engine.refine(ctx, 'no beard'));
    const reply = await engine.explain(ctx);
    expect(reply.kind).toBe('text');
    const said = reply.kind === 'text' ? reply.text : '';
    expect(said).toMatch(/Held from earlier edits: .*hat \(from "put a hat on him"\): met, hat \d+% \(wanted ≥ 82%\)/);
    expect(said).toMatch(/glasses \(from "add eyeglasses"\): met/);
    // a first edit holds nothing, and explain says nothing about it
    face(await engine.describe({ userId: 'v' }, 'smiling'));
    const plain = await engine.explain({ userId: 'v' });
    expect(plain.kind === 'text' && plain.text).not.toMatch(/Held from earlier/);
  });
});

describe('the rule: which earlier goals an edit holds', () => {
  const edit = (text: string): Edit => {
    const p = parseDescription(text);
    return { text, weights: p.weights, mode: p.mode, locks: p.locks, ...(p.age ? { age: p.age } : {}) };
  };
  const heldNames = (earlier: string[], next: string) => heldGoalsFor(earlier.map(edit), edit(next))?.goals.map((g) => g.name) ?? [];

  it('holds targets and ages in years, not steps', () => {
    expect(heldNames(['more smile', 'add eyeglasses'], 'red hair')).toEqual(['Eyeglasses']);
    const held = heldGoalsFor([edit('make him a 70 year old')], edit('add eyeglasses'))!.goals;
    expect(held.find((g) => g.name === 'Young')).toMatchObject({ age: { mode: 'exact', years: 70 }, said: 'make him a 70 year old' });
  });

  it('"younger" overrides an earlier age, and a later goal on the same axis replaces the earlier one', () => {
    expect(heldNames(['make him a 70 year old'], 'younger')).not.toContain('Young');
    expect(heldNames(['make him a 70 year old', 'younger'], 'add eyeglasses')).not.toContain('Young');
    const replaced = heldGoalsFor([edit('with glasses'), edit('no glasses')], edit('smiling'))!.goals;
    expect(replaced).toEqual([{ name: 'Eyeglasses', weight: -1, said: 'no glasses' }]);
  });

  it('words about a feature a face has one of override the others (hair colour, beard), and a gender overrides facial hair', () => {
    expect(heldNames(['a woman with blonde hair'], 'black hair')).toEqual(['Male']);
    expect(heldNames(['a man with a goatee'], 'no beard')).toEqual(['Male']);
    expect(heldNames(['no beard', 'smiling'], 'a goatee')).toEqual(['Smiling']);
    expect(heldNames(['with a beard', 'with glasses'], 'a woman')).toEqual(['Eyeglasses']);
    expect(heldNames(['wavy hair', 'blonde hair'], 'bald')).toEqual([]);
  });

  it('glasses named again take the lenses with them ("no glasses" after "sunglasses" holds no dark lenses)', () => {
    expect(heldNames(['a man in sunglasses'], 'smiling')).toEqual(['Male', 'Eyeglasses', 'Sunglasses']);
    expect(heldNames(['a man in sunglasses'], 'no glasses')).toEqual(['Male']);
    expect(heldNames(['a man in sunglasses', 'take off the glasses'], 'smiling')).toEqual(['Male', 'Eyeglasses']);
  });

  it('a mix or an analogy starts another person: goals before it are not carried', () => {
    const mixed: Edit = { text: 'mixed with face x', weights: {}, mode: {}, locks: [], made: 'mix' };
    expect(heldNames(['with a hat', 'add eyeglasses'], 'no beard')).toEqual(['Wearing_Hat', 'Eyeglasses']);
    expect(heldGoalsFor([edit('with a hat'), mixed], edit('no beard'))).toBeUndefined();
  });

  it('a lock released drops the goals held on its axis', () => {
    const chain = [edit('with a hat'), edit('add eyeglasses')];
    const third = { ...edit('no beard'), held: heldGoalsFor(chain, edit('no beard')) };
    const released = releaseHeldGoals([...chain, third], ['Wearing_Hat']);
    expect(released.at(-1)!.held!.goals.map((g) => g.name)).toEqual(['Eyeglasses']);
    expect(releaseHeldGoals([...chain, third], ['Wearing_Hat', 'Eyeglasses']).at(-1)!.held).toBeUndefined();
  });
});

describe('held goals in words', () => {
  it('says each the way it was asked for, met or not', () => {
    const logits = new Float32Array(ATTRIBUTES.length);
    logits[attributeIndex('Male')] = -2.2; // a woman, 90%
    logits[attributeIndex('Eyeglasses')] = -0.5; // glasses 38%: "no glasses" not met
    const edit: Edit = {
      text: 'smiling', weights: { Smiling: 1 }, mode: { Smiling: 'target' }, locks: [],
      held: { version: 1, goals: [{ name: 'Male', weight: -1, said: 'a woman' }, { name: 'Eyeglasses', weight: -1, said: 'no glasses' }] },
    };
    const said = heldGoalsExplain(heldGoalStatus(edit, { logits }, axes));
    expect(said).toBe('Held from earlier edits: woman (from "a woman"): met, woman 90% (wanted ≥ 82%); '
      + 'no glasses (from "no glasses"): not met, glasses 38% (wanted ≤ 18%).');
    expect(heldGoalsExplain(heldGoalStatus({ ...edit, held: undefined }, { logits }, axes))).toBe('');
  });
});

describe('stored faces from before held goals', () => {
  let dir: string | undefined;
  let store: SqliteFaceStore | undefined;
  afterEach(async () => {
    await store?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an old record without the field loads, refines, and its refinement holds its goals', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-held-'));
    const file = path.join(dir, 'faces.db');
    (await openSqliteStore(file)).close();
    // written as a tellaface before held goals wrote it: edits without `held`
    const db = new Database(file);
    const edits = [
      { text: 'put a hat on him', weights: { Wearing_Hat: 1, Male: 1 }, mode: { Wearing_Hat: 'target', Male: 'target' }, locks: [] },
      { text: 'add eyeglasses', weights: { Eyeglasses: 1 }, mode: { Eyeglasses: 'target' }, locks: [] },
    ];
    db.prepare('INSERT INTO faces (id, owner_id, seed, edits, parent_id, created_at, model, truncation) VALUES (?, ?, ?, ?, NULL, 1, ?, 1)')
      .run('oldface00001', 'u', 42, JSON.stringify(edits), 'm');
    db.prepare('INSERT INTO current_face (owner_id, face_id) VALUES (?, ?)').run('u', 'oldface00001');
    db.close();

    store = openSqliteStore(file);
    const old = await store.getFace('oldface00001');
    expect(old?.edits.map((e) => e.held)).toEqual([undefined, undefined]);
    const { engine, renderer } = setup(store);
    const shaved = face(await engine.refine(ctx, 'no beard'));
    const f = await lastRead(renderer);
    expect(logit(f, 'Wearing_Hat')).toBeGreaterThanOrEqual(LEVEL_LOGIT);
    expect(logit(f, 'Eyeglasses')).toBeGreaterThanOrEqual(LEVEL_LOGIT);
    // and the new field is stored and read back
    const back = await store.getFace(shaved.face.id);
    expect(back?.edits.at(-1)?.held).toEqual(shaved.face.edits.at(-1)!.held);
    expect(back?.edits.at(-1)?.held?.version).toBe(1);
  });
});
