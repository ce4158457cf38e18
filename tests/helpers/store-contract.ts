/**
 * What every FaceStore must do, run against each real store (tests/store.test.ts: SQLite;
 * tests/store-postgres.test.ts: PostgreSQL). The caller gives each test a fresh, empty database and closes
 * what the harness opened afterwards.
 */
import { describe, expect, it } from 'vitest';
import type { FaceRecord } from '../../src/face/record.js';
import type { FaceStore } from '../../src/store/types.js';
import { makeEdit, makeFace } from './fake-face.js';

export interface StoreHarness {
  /** Opens a store on this test's database; every call opens another one on the same database. */
  open(): Promise<FaceStore>;
  /** From now on, deleting a face fails with an error whose message contains "refused"; returns the undo. */
  refuseFaceDeletes(): Promise<() => Promise<void>>;
  /** Rows that name a face that is not there (foreign keys), as the database reports them: [] when none. */
  danglingReferences(): Promise<unknown[]>;
}

export function describeStoreContract(harness: StoreHarness): void {
  describe('round trips', () => {
    it('saves and reads back a face with its edits, unchanged', async () => {
      const store = await harness.open();
      const root = makeFace({ seed: 4_294_967_295 });
      const child = makeFace({
        parentId: root.id,
        seed: root.seed,
        edits: [
          ...root.edits,
          { text: 'older, keep the gender', weights: { Young: -1.5 }, mode: { Young: 'step' }, locks: ['Male'], age: { mode: 'step', years: 12 } },
        ],
      });
      await store.saveFace(root);
      await store.saveFace(child);
      expect(await store.getFace(root.id)).toEqual(root);
      expect(await store.getFace(child.id)).toEqual(child);
      expect(await store.getFace('nope')).toBeUndefined();
    });

    it('keeps every field of the record: seed 0, model null, ψ, jitter, a mix origin, made and studio edits', async () => {
      const store = await harness.open();
      const a = makeFace({ seed: 0, model: null, truncation: 0.55, createdAt: 8_640_000_000_000 });
      const b = makeFace();
      const mixed: FaceRecord = makeFace({
        parentId: a.id,
        truncation: 0.7,
        jitter: [{ seed: 4_294_967_295, scale: 0.35 }, { seed: 0, scale: 1e-7 }],
        origin: { kind: 'mix', parts: [{ faceId: a.id, weight: 0.75 }, { faceId: b.id, weight: 0.25 }], z: Buffer.from(new Float32Array([0.1, -2.5, 3e-9]).buffer).toString('base64') },
        edits: [
          { text: `mixed with face ${b.id}`, weights: {}, mode: {}, locks: ['Male', 'Eyeglasses'], made: 'mix' },
          { text: 'sliders', weights: { Smiling: 0.1 + 0.2, Young: -1 / 3, Male: 1e-7 }, mode: { Smiling: 'step', Young: 'step', Male: 'target' }, locks: [], source: 'studio' },
          { text: 'a 70 year old', weights: { Young: -1 }, mode: { Young: 'target' }, locks: [], age: { mode: 'exact', years: 70 } },
        ],
      });
      for (const f of [a, b, mixed]) await store.saveFace(f);
      expect(await store.getFace(a.id)).toEqual(a);
      const back = await store.getFace(mixed.id);
      expect(back).toEqual(mixed);
      // the weights read back in the order they were written (captions list them in that order), every bit of every number kept
      expect(Object.keys(back!.edits[1]!.weights)).toEqual(['Smiling', 'Young', 'Male']);
      expect(back!.edits[1]!.weights.Smiling).toBe(0.1 + 0.2);
    });

    it('a face with no jitter steps reads back without a jitter field', async () => {
      const store = await harness.open();
      const face = makeFace({ jitter: [] });
      await store.saveFace(face);
      const back = await store.getFace(face.id);
      expect(back).not.toHaveProperty('jitter');
      expect(back).not.toHaveProperty('origin');
    });

    it('refuses to overwrite a face record (records are immutable)', async () => {
      const store = await harness.open();
      const face = makeFace();
      await store.saveFace(face);
      await expect(store.saveFace({ ...face, seed: 1 })).rejects.toThrow();
      expect((await store.getFace(face.id))?.seed).toBe(face.seed);
    });

    it('refuses references to faces that are not stored (parent, current face, message link)', async () => {
      const store = await harness.open();
      await expect(store.saveFace(makeFace({ parentId: 'missing' }))).rejects.toThrow();
      await expect(store.setCurrentFaceId('alice', 'missing')).rejects.toThrow();
      await expect(store.linkMessage('m1', 'missing')).rejects.toThrow();
      expect(await store.getCurrentFaceId('alice')).toBeUndefined();
      expect(await store.getFaceIdByMessage('m1')).toBeUndefined();
    });

    it('keeps one current face per owner, and clears it with null', async () => {
      const store = await harness.open();
      const a = makeFace({ ownerId: 'alice' });
      const b = makeFace({ ownerId: 'alice' });
      const c = makeFace({ ownerId: 'bob' });
      for (const f of [a, b, c]) await store.saveFace(f);
      expect(await store.getCurrentFaceId('alice')).toBeUndefined();
      await store.setCurrentFaceId('alice', a.id);
      await store.setCurrentFaceId('alice', b.id);
      await store.setCurrentFaceId('bob', c.id);
      expect(await store.getCurrentFaceId('alice')).toBe(b.id);
      expect(await store.getCurrentFaceId('bob')).toBe(c.id);
      await store.setCurrentFaceId('alice', null);
      expect(await store.getCurrentFaceId('alice')).toBeUndefined();
      expect(await store.getCurrentFaceId('bob')).toBe(c.id);
      await store.setCurrentFaceId('nobody', null);
    });

    it('links messages to faces; linking a message again moves its link', async () => {
      const store = await harness.open();
      const a = makeFace();
      const b = makeFace();
      await store.saveFace(a);
      await store.saveFace(b);
      await store.linkMessage('m1', a.id);
      await store.linkMessage('m2', b.id);
      expect(await store.getFaceIdByMessage('m1')).toBe(a.id);
      expect(await store.getFaceIdByMessage('m2')).toBe(b.id);
      expect(await store.getFaceIdByMessage('m3')).toBeUndefined();
      await store.linkMessage('m1', b.id);
      expect(await store.getFaceIdByMessage('m1')).toBe(b.id);
    });

    it('keeps everything after close and reopen', async () => {
      const face = makeFace({ edits: [makeEdit('blond', { Blond_Hair: 1 }), makeEdit('glasses', { Eyeglasses: 2 })] });
      const first = await harness.open();
      await first.saveFace(face);
      await first.setCurrentFaceId(face.ownerId, face.id);
      await first.linkMessage('msg', face.id);
      await first.close();
      await first.close(); // closing twice is harmless

      const second = await harness.open();
      expect(await second.getFace(face.id)).toEqual(face);
      expect(await second.getCurrentFaceId(face.ownerId)).toBe(face.id);
      expect(await second.getFaceIdByMessage('msg')).toBe(face.id);
    });

    it('two stores open on the same database see each other\'s writes at once', async () => {
      const one = await harness.open();
      const two = await harness.open();
      const face = makeFace();
      await one.saveFace(face);
      expect(await two.getFace(face.id)).toEqual(face);
      const refined = makeFace({ parentId: face.id, seed: face.seed, edits: [...face.edits, makeEdit('older', { Young: -1 })] });
      await two.saveFace(refined);
      await two.setCurrentFaceId(face.ownerId, refined.id);
      expect(await one.getCurrentFaceId(face.ownerId)).toBe(refined.id);
      expect(await one.getFace(refined.id)).toEqual(refined);
    });
  });

  describe('forgetUser (issue 13 item 8)', () => {
    async function twoUsers(store: FaceStore) {
      const a1 = makeFace({ ownerId: 'alice' });
      const a2 = makeFace({ ownerId: 'alice', parentId: a1.id });
      const a3 = makeFace({ ownerId: 'alice', parentId: a2.id });
      const bobCopy = makeFace({ ownerId: 'bob', parentId: a2.id });
      const bobNext = makeFace({ ownerId: 'bob', parentId: bobCopy.id });
      const carolOwn = makeFace({ ownerId: 'carol' });
      const aliceCopyOfCarol = makeFace({ ownerId: 'alice', parentId: carolOwn.id });
      for (const f of [a1, a2, a3, bobCopy, bobNext, carolOwn, aliceCopyOfCarol]) await store.saveFace(f);
      await store.setCurrentFaceId('alice', a3.id);
      await store.setCurrentFaceId('bob', bobNext.id);
      await store.setCurrentFaceId('carol', a1.id); // after an undo on a copy, a pointer can name another user's face
      for (const [m, f] of [['m1', a1], ['m2', a3], ['m3', bobCopy], ['m4', aliceCopyOfCarol]] as const) await store.linkMessage(m, f.id);
      return { a1, a2, a3, bobCopy, bobNext, carolOwn, aliceCopyOfCarol };
    }

    it("deletes the user's faces, every face others made from them, and every pointer and link to any of them (issue 29)", async () => {
      const store = await harness.open();
      const f = await twoUsers(store);
      expect(await store.forgetUser('alice')).toEqual({ faces: 4, currentFace: true, messageLinks: 4, othersFaces: 2, otherOwners: 1, otherCurrentFaces: 2 });
      for (const id of [f.a1.id, f.a2.id, f.a3.id, f.aliceCopyOfCarol.id, f.bobCopy.id, f.bobNext.id]) expect(await store.getFace(id)).toBeUndefined();
      expect(await store.getCurrentFaceId('alice')).toBeUndefined();
      expect(await store.getCurrentFaceId('bob')).toBeUndefined(); // his copy held alice's words
      expect(await store.getCurrentFaceId('carol')).toBeUndefined(); // it named one of alice's faces
      for (const m of ['m1', 'm2', 'm3', 'm4']) expect(await store.getFaceIdByMessage(m)).toBeUndefined();
      expect(await store.getFace(f.carolOwn.id)).toEqual(f.carolOwn);
      expect(await harness.danglingReferences()).toEqual([]);
    });

    it("deletes others' mixes and analogies that used the user's faces, and what was made from them; keeps the faces they started from", async () => {
      const store = await harness.open();
      const mine = makeFace({ ownerId: 'alice', edits: [{ text: 'my ex from 42 Elm Street, smiling', weights: { Smiling: 1 }, mode: { Smiling: 'target' }, locks: [] }] });
      const theirs = makeFace({ ownerId: 'bob' });
      const carols = makeFace({ ownerId: 'carol' });
      const z = Buffer.from(new Float32Array([0.5, -1, 2]).buffer).toString('base64');
      const mixed = makeFace({
        ownerId: 'bob',
        parentId: theirs.id,
        origin: { kind: 'mix', parts: [{ faceId: theirs.id, weight: 0.4 }, { faceId: mine.id, weight: 0.6 }], z },
        edits: [{ text: `mix: 40% this face, 60% face ${mine.id}`, weights: {}, mode: {}, locks: [], made: 'mix' }],
      });
      const mixedNext = makeFace({ ownerId: 'bob', parentId: mixed.id, origin: mixed.origin!, edits: [...mixed.edits, { text: 'older', weights: { Young: -1 }, mode: { Young: 'step' }, locks: [] }] });
      const analogy = makeFace({
        ownerId: 'carol',
        parentId: carols.id,
        origin: { kind: 'analogy', parts: [{ faceId: carols.id, weight: 1 }, { faceId: theirs.id, weight: 1 }, { faceId: mine.id, weight: -1 }], z },
      });
      for (const f of [mine, theirs, carols, mixed, mixedNext, analogy]) await store.saveFace(f);
      await store.setCurrentFaceId('bob', mixedNext.id);
      expect(await store.forgetUser('alice')).toMatchObject({ faces: 1, othersFaces: 3, otherOwners: 2, otherCurrentFaces: 1 });
      for (const f of [mine, mixed, mixedNext, analogy]) expect(await store.getFace(f.id)).toBeUndefined();
      expect(await store.getFace(theirs.id)).toEqual(theirs);
      expect(await store.getFace(carols.id)).toEqual(carols);
      expect(await harness.danglingReferences()).toEqual([]);
    });

    it('changes nothing when any step fails (one transaction)', async () => {
      const store = await harness.open();
      const f = await twoUsers(store);
      const allow = await harness.refuseFaceDeletes();
      await expect(store.forgetUser('alice')).rejects.toThrow('refused');
      await allow();
      expect(await store.getCurrentFaceId('alice')).toBe(f.a3.id);
      expect(await store.getCurrentFaceId('carol')).toBe(f.a1.id);
      expect(await store.getFaceIdByMessage('m1')).toBe(f.a1.id);
      expect((await store.getFace(f.bobCopy.id))?.parentId).toBe(f.a2.id);
      // and the store still works: the same forget now goes through
      expect((await store.forgetUser('alice')).faces).toBe(4);
      expect(await store.getFace(f.bobCopy.id)).toBeUndefined();
    });

    it('a user with nothing stored gets zero counts', async () => {
      const store = await harness.open();
      expect(await store.forgetUser('nobody')).toEqual({ faces: 0, currentFace: false, messageLinks: 0, othersFaces: 0, otherOwners: 0, otherCurrentFaces: 0 });
    });
  });
}
