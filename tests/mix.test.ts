import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChat } from '../src/console/chat.js';
import { createEngine, faceLatentFor } from '../src/conversation/engine.js';
import { parseMixWords } from '../src/conversation/mix-words.js';
import type { ConversationEngine, EngineReply } from '../src/conversation/types.js';
import type { FaceRecord } from '../src/face/record.js';
import { AxisSet } from '../src/latent/axes.js';
import { analogyLatent, decodeLatent, encodeLatent, mixLatents } from '../src/latent/origin.js';
import { engineModels, loadFaceModels, type FaceModels } from '../src/render/models.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { FaceStore } from '../src/store/types.js';
import { FakeStore } from './helpers/fake-store.js';

let models: FaceModels;
const alice = { userId: 'alice' };
const bob = { userId: 'bob' };

beforeAll(async () => {
  models = await loadFaceModels({
    modelsDir: path.resolve('tests/fixtures/models'), provider: 'cpu', renderSize: 64, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000,
  });
});
afterAll(async () => models?.close());

function engineWith(store: FaceStore = new FakeStore()): ConversationEngine {
  let r = 0.1;
  return createEngine({ store, ...engineModels(models), random: () => (r = (r + 0.137) % 1), now: () => 1 });
}

function faceOf(reply: EngineReply): Extract<EngineReply, { kind: 'face' }> {
  if (reply.kind !== 'face') throw new Error(`expected a face, got: ${reply.text}`);
  return reply;
}

async function pixels(png: Buffer): Promise<Buffer> {
  return sharp(png).removeAlpha().raw().toBuffer();
}

async function meanAbsDiff(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([pixels(a), pixels(b)]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}

function axes(): AxisSet {
  return engineModels(models).axes;
}

describe('latent arithmetic for faces made from faces', () => {
  it('stores a latent exactly and refuses one of the wrong size or with a non-finite number', () => {
    const z = Float32Array.from([0.1, -2.5, 3.25e-7, 1e6, -0, 7, 8, 9]);
    expect(Array.from(decodeLatent(encodeLatent(z), 8))).toEqual(Array.from(z));
    expect(() => decodeLatent(encodeLatent(z), 9)).toThrow(/8 numbers/);
    expect(() => decodeLatent(encodeLatent(Float32Array.from([1, Number.NaN, 0, 0, 0, 0, 0, 0])), 8)).toThrow(/not finite/);
  });

  it('holds the base face\'s locked axes: the mix moves everything else', () => {
    const set = axes();
    const a = Float32Array.from([1, 0.5, -0.3, 0.2, 0.9, -1.1, 0.4, 0.0]);
    const b = Float32Array.from([-0.8, 1.2, 0.7, -0.9, 0.1, 0.6, -1.3, 1.0]);
    const male = set.require('Male').vector;
    const coord = (z: ArrayLike<number>) => Array.from(male).reduce((s, v, i) => s + v * z[i]!, 0);
    const free = mixLatents(a, b, 0.5, set);
    const locked = mixLatents(a, b, 0.5, set, ['Male']);
    expect(Math.abs(coord(free) - coord(a))).toBeGreaterThan(0.1);
    expect(coord(locked)).toBeCloseTo(coord(a), 5);
    expect(Math.hypot(...locked.map((x, i) => x - a[i]!))).toBeGreaterThan(0.5);
  });

  it('an analogy adds the difference: C + (B − A)', () => {
    const set = axes();
    const a = Float32Array.from([0.2, 0.1, 0, 0, 0, 0, 0, 0.3]);
    const b = Float32Array.from([0.7, 0.1, 0, -0.4, 0, 0, 0, 0.3]);
    const c = Float32Array.from([-0.5, 0.5, 0.5, 0.5, -0.5, 0.5, -0.5, 0.5]);
    const z = analogyLatent(c, a, b, 1, set);
    const want = [0, 0.5, 0.5, 0.1, -0.5, 0.5, -0.5, 0.5];
    z.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
    expect(analogyLatent(c, a, b, 0.5, set)[0]).toBeCloseTo(-0.25, 5);
  });
});

describe('mix words', () => {
  it.each([
    ['mix my face with this one', true, undefined],
    ['blend us, 70% of this one', true, 0.7],
    ['merge with that, 70% mine', true, 0.3],
    ['mix half and half', true, 0.5],
    ['mix, mostly that one', true, 0.75],
    ['mix in a bit of this one', true, 0.25],
    ['mix mostly my own face', true, 0.25],
    ['150 percent of that', false, 1.5],
    ['older and smiling', false, undefined],
    ['make her cross-eyed', false, undefined],
    ['a mixed race woman', false, undefined],
    ['blended eyeshadow', false, undefined],
    ['give her a blend of blonde and brown hair', false, undefined],
    ['combine glasses and a beard', false, undefined],
    ['mix!', true, undefined],
    ['blend us', true, undefined],
    ['merge, 30%', true, 0.3],
  ])('%s', (words, isMix, weight) => {
    const got = parseMixWords(words);
    expect(got.isMix).toBe(isMix);
    if (weight === undefined) expect(got.weight).toBeUndefined();
    else expect(got.weight).toBeCloseTo(weight, 9);
  });
});

describe('mix in the engine', () => {
  it('makes a new current face between two faces; the weight decides which it is closer to', async () => {
    const store = new FakeStore();
    const engine = engineWith(store);
    const b = faceOf(await engine.describe(bob, 'a man with a beard', 77));
    const a = faceOf(await engine.describe(alice, 'a smiling woman', 5));
    const near = faceOf(await engine.mix!(alice, { otherFaceId: b.face.id, weight: 0.2 }));
    expect(near.face.origin?.kind).toBe('mix');
    expect(near.face.origin?.parts).toEqual([{ faceId: a.face.id, weight: 0.8 }, { faceId: b.face.id, weight: 0.2 }]);
    expect(near.face.parentId).toBe(a.face.id);
    expect(near.face.ownerId).toBe('alice');
    expect(near.caption).toBe(`mix: 80% this face, 20% face ${b.face.id}`);
    expect(store.current.get('alice')).toBe(near.face.id);
    expect(await meanAbsDiff(near.png, a.png)).toBeLessThan(await meanAbsDiff(near.png, b.png));

    await engine.undo(alice);
    const far = faceOf(await engine.mix!(alice, { otherFaceId: b.face.id, weight: 0.9 }));
    expect(await meanAbsDiff(far.png, b.png)).toBeLessThan(await meanAbsDiff(far.png, a.png));
  });

  it('a mixed face refines, varies, rerolls and undoes like any face', async () => {
    const store = new FakeStore();
    const engine = engineWith(store);
    const b = faceOf(await engine.describe(alice, 'a man', 9));
    const a = faceOf(await engine.describe(alice, 'a woman', 4));
    const mixed = faceOf(await engine.mix!(alice, { otherFaceId: b.face.id }));
    const refined = faceOf(await engine.refine(alice, 'with glasses'));
    expect(refined.face.origin).toEqual(mixed.face.origin);
    expect(refined.face.edits.map((e) => e.text)).toEqual([mixed.face.edits[0]!.text, 'with glasses']);
    expect(await meanAbsDiff(refined.png, mixed.png)).toBeGreaterThan(0);

    const four = await engine.vary!(alice);
    if (four.kind !== 'grid') throw new Error(four.text);
    expect(four.faces.every((f) => f.origin?.z === mixed.face.origin?.z && f.jitter?.length === 1)).toBe(true);

    const back = faceOf(await engine.undo(alice));
    expect(back.face.id).toBe(mixed.face.id);
    expect(back.png.equals(mixed.png)).toBe(true);
    const before = faceOf(await engine.undo(alice));
    expect(before.face.id).toBe(a.face.id);
    expect(before.caption).toContain('undid "mix: 50% this face');

    await engine.pick!(alice, mixed.face.id);
    const rerolled = faceOf(await engine.reroll(alice));
    expect(rerolled.face.origin).toBeUndefined();
    expect(rerolled.face.seed).not.toBe(mixed.face.seed);
    expect(rerolled.notes.join(' ')).toMatch(/new seed replaces the mix/);
  });

  it('keeps the base face\'s locks through the mix and after it', async () => {
    const engine = engineWith();
    const b = faceOf(await engine.describe(bob, 'a man', 31));
    faceOf(await engine.describe(alice, 'a woman', 8));
    const locked = faceOf(await engine.refine(alice, 'keep the gender'));
    const mixed = faceOf(await engine.mix!(alice, { otherFaceId: b.face.id, weight: 0.8 }));
    expect(mixed.face.edits[0]!.locks).toContain('Male');
    expect(mixed.notes.join(' ')).toMatch(/gender kept/);
    const set = axes();
    const male = set.require('Male').vector;
    const coord = (z: Float32Array) => Array.from(male).reduce((s, v, i) => s + v * z[i]!, 0);
    const { scorer } = engineModels(models);
    const zBase = (await faceLatentFor(locked.face, set, scorer)).z;
    expect(coord(decodeLatent(mixed.face.origin!.z, set.zDim))).toBeCloseTo(coord(zBase), 4);
    expect(mixed.notes.join(' ')).toMatch(/your own copy|locks/);
  });

  it('analogy: this face, changed the way one face differs from another', async () => {
    const engine = engineWith();
    const from = faceOf(await engine.describe(bob, 'a young man', 12));
    const to = faceOf(await engine.refine(bob, 'much older, with a beard'));
    const base = faceOf(await engine.describe(alice, 'a woman', 40));
    const made = faceOf(await engine.analogy!(alice, { fromFaceId: from.face.id, toFaceId: to.face.id }));
    expect(made.face.origin?.kind).toBe('analogy');
    expect(made.face.origin?.parts.map((p) => p.faceId)).toEqual([base.face.id, to.face.id, from.face.id]);
    expect(made.face.parentId).toBe(base.face.id);
    const { scorer } = engineModels(models);
    const set = axes();
    const [za, zb, zc] = await Promise.all([from.face, to.face, base.face].map(async (f) => (await faceLatentFor(f, set, scorer)).z));
    const want = analogyLatent(zc!, za!, zb!, 1, set);
    Array.from(decodeLatent(made.face.origin!.z, set.zDim)).forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
    expect(await meanAbsDiff(made.png, base.png)).toBeGreaterThan(0);
  });

  it('answers bad requests with text and saves nothing', async () => {
    const store = new FakeStore();
    const engine = engineWith(store);
    const other = faceOf(await engine.describe(bob, 'a man', 3));
    expect(await engine.mix!(alice, { otherFaceId: other.face.id })).toMatchObject({ kind: 'text', reason: 'no-face' });
    const mine = faceOf(await engine.describe(alice, 'a woman', 2));
    const saved = store.faces.size;
    expect(await engine.mix!(alice, { otherFaceId: other.face.id, weight: 1.2 })).toMatchObject({ kind: 'text', reason: 'error', text: expect.stringMatching(/5% to 95%.*120%/) });
    expect(await engine.mix!(alice, { otherFaceId: other.face.id, weight: Number.NaN })).toMatchObject({ kind: 'text', reason: 'error' });
    expect(await engine.mix!(alice, { otherFaceId: 'Zzzzzzzzzzzz' })).toMatchObject({ kind: 'text', reason: 'no-face', text: expect.stringContaining('Zzzzzzzzzzzz') });
    expect(await engine.mix!(alice, { otherFaceId: mine.face.id })).toMatchObject({ kind: 'text', reason: 'nothing-changed' });
    expect(await engine.analogy!(alice, { fromFaceId: other.face.id, toFaceId: other.face.id })).toMatchObject({ kind: 'text', reason: 'nothing-changed' });
    expect(await engine.analogy!(alice, { fromFaceId: other.face.id, toFaceId: mine.face.id, strength: 3 })).toMatchObject({ kind: 'text', reason: 'error' });
    expect(store.faces.size).toBe(saved);
    expect(store.current.get('alice')).toBe(mine.face.id);
  });
});

describe('mixed faces in the SQLite store', () => {
  it('keep their latent: redrawn the same after a reopen; gone when the other face\'s owner forgets', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-mix-'));
    try {
      const file = path.join(dir, 'faces.db');
      let store = openSqliteStore(file);
      let engine = engineWith(store);
      const b = faceOf(await engine.describe(bob, 'a man with a beard', 50));
      faceOf(await engine.describe(alice, 'a smiling woman', 51));
      const mixed = faceOf(await engine.mix!(alice, { otherFaceId: b.face.id, weight: 0.6 }));
      store.close();

      store = openSqliteStore(file);
      engine = engineWith(store);
      const stored = (await store.getFace(mixed.face.id)) as FaceRecord;
      expect(stored.origin).toEqual(mixed.face.origin);
      expect(stored.edits[0]).toMatchObject({ made: 'mix' });
      const set = axes();
      const drawn = (await faceLatentFor(stored, set, engineModels(models).scorer)).z;
      Array.from(drawn).forEach((x, i) => expect(x).toBeCloseTo(decodeLatent(stored.origin!.z, set.zDim)[i]!, 6));
      const again = faceOf(await engine.undo(alice).then(() => engine.pick!(alice, mixed.face.id)));
      expect((await pixels(again.png)).equals(await pixels(mixed.png))).toBe(true);
      // the mix holds bob's face's latent: when bob forgets, it goes too (issue 29 item 1)
      await engine.forget(bob);
      expect(await store.getFace(mixed.face.id)).toBeUndefined();
      store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('/mix and /analogy in the chat', () => {
  it('mixes with a face of the last four or an id, with a weight, and says what is wrong', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-mixchat-'));
    try {
      const store = new FakeStore();
      const engine = engineWith(store);
      const other = faceOf(await engine.describe(bob, 'a man', 21));
      let out = '';
      const output = new Writable({ write: (c, _e, done) => { out += String(c); done(); } });
      const lines = ['/mix 2', 'a woman', '/four a man with glasses', '/mix 2 30%', `/mix ${other.face.id} 70% mine`, '/mix', '/mix 2 150%', `/analogy ${other.face.id} 3`, '/analogy'];
      const summary = await runChat({ engine, input: Readable.from([`${lines.join('\n')}\n`]), output, outDir: dir, userId: 'console' });
      expect(summary.failed).toBe(0);
      expect(out).toContain('There are no four faces to mix from yet');
      const mixes = [...store.faces.values()].filter((f) => f.origin?.kind === 'mix');
      expect(mixes.map((f) => f.origin!.parts[1]!.weight)).toEqual([0.3, expect.closeTo(0.3, 9)]);
      expect(mixes[1]!.origin!.parts[1]!.faceId).toBe(other.face.id);
      expect(out).toContain('Say which face to mix with yours');
      expect(out).toMatch(/5% to 95%.*150%/);
      expect([...store.faces.values()].filter((f) => f.origin?.kind === 'analogy')).toHaveLength(1);
      expect(out).toContain('Say two faces');
      for (const f of mixes) expect(fs.existsSync(path.join(dir, `${f.id}.png`))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
