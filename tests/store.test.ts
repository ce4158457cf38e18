import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/store/migrations.js';
import { openSqliteStore, StoreOpenError, type SqliteFaceStore } from '../src/store/sqlite-store.js';
import { newFaceId } from '../src/store/ids.js';
import { makeEdit, makeFace } from './helpers/fake-face.js';

let dir: string;
let dbPath: string;
const opened: SqliteFaceStore[] = [];

function open(file = dbPath, busyTimeoutMs?: number): SqliteFaceStore {
  const store = openSqliteStore(file, { busyTimeoutMs });
  opened.push(store);
  return store;
}

function expectOpenError(file: string, pattern: RegExp, busyTimeoutMs?: number): StoreOpenError {
  let caught: unknown;
  try {
    open(file, busyTimeoutMs);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(StoreOpenError);
  const err = caught as StoreOpenError;
  expect(err.message).toContain(path.resolve(file));
  expect(err.message).toMatch(pattern);
  return err;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-store-'));
  dbPath = path.join(dir, 'faces.db');
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SqliteFaceStore round trips', () => {
  it('saves and reads back a face with its edits, unchanged', async () => {
    const store = open();
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

  it('refuses to overwrite a face record (records are immutable)', async () => {
    const store = open();
    const face = makeFace();
    await store.saveFace(face);
    await expect(store.saveFace({ ...face, seed: 1 })).rejects.toThrow();
    expect((await store.getFace(face.id))?.seed).toBe(face.seed);
  });

  it('keeps one current face per owner, and clears it with null', async () => {
    const store = open();
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
  });

  it('links messages to faces', async () => {
    const store = open();
    const a = makeFace();
    const b = makeFace();
    await store.saveFace(a);
    await store.saveFace(b);
    await store.linkMessage('m1', a.id);
    await store.linkMessage('m2', b.id);
    expect(await store.getFaceIdByMessage('m1')).toBe(a.id);
    expect(await store.getFaceIdByMessage('m2')).toBe(b.id);
    expect(await store.getFaceIdByMessage('m3')).toBeUndefined();
  });

  it('keeps everything after close and reopen, in WAL mode at the current schema version', async () => {
    const face = makeFace({ edits: [makeEdit('blond', { Blond_Hair: 1 }), makeEdit('glasses', { Eyeglasses: 2 })] });
    const first = open();
    await first.saveFace(face);
    await first.setCurrentFaceId(face.ownerId, face.id);
    await first.linkMessage('msg', face.id);
    await first.close();

    const second = open();
    expect(await second.getFace(face.id)).toEqual(face);
    expect(await second.getCurrentFaceId(face.ownerId)).toBe(face.id);
    expect(await second.getFaceIdByMessage('msg')).toBe(face.id);
    await second.close();

    const raw = new Database(dbPath, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
  });

  it('upgrades a database from before models were recorded: its faces keep everything, with model null and no truncation', async () => {
    const raw = new Database(dbPath);
    raw.exec(MIGRATIONS[0]!);
    raw.pragma('user_version = 1');
    raw.prepare('INSERT INTO faces (id, owner_id, seed, edits, parent_id, created_at) VALUES (?, ?, ?, ?, NULL, ?)')
      .run('old1', 'bob', 77, JSON.stringify([makeEdit('smiling')]), 5);
    raw.close();

    const store = open();
    expect(await store.getFace('old1')).toEqual({
      id: 'old1', ownerId: 'bob', seed: 77, edits: [makeEdit('smiling')], parentId: null, createdAt: 5, model: null, truncation: 1,
    });
    const face = makeFace({ model: 'fedcba987654', truncation: 0.6 });
    await store.saveFace(face);
    expect(await store.getFace(face.id)).toEqual(face);
  });

  it('creates the parent folder if missing', async () => {
    const nested = path.join(dir, 'a', 'b', 'faces.db');
    const store = open(nested);
    await store.saveFace(makeFace());
    expect(fs.existsSync(nested)).toBe(true);
  });

  it('survives kill -9 right after a write', async () => {
    const face = makeFace();
    const script = path.join(dir, 'writer.mts');
    const storeModule = path.resolve('src/store/sqlite-store.ts');
    fs.writeFileSync(script, `
      import { openSqliteStore } from ${JSON.stringify(storeModule)};
      const store = openSqliteStore(${JSON.stringify(dbPath)});
      const face = ${JSON.stringify(face)};
      await store.saveFace(face);
      await store.setCurrentFaceId(face.ownerId, face.id);
      process.kill(process.pid, 'SIGKILL');
    `);
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.signal).toBe('SIGKILL');
    const store = open();
    expect(await store.getFace(face.id)).toEqual(face);
    expect(await store.getCurrentFaceId(face.ownerId)).toBe(face.id);
  });
});

describe('forgetUser (issue 13 item 8)', () => {
  async function twoUsers(store: SqliteFaceStore) {
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

  it("deletes the user's faces, current face and message links in one go, and counts them", async () => {
    const store = open();
    const f = await twoUsers(store);
    expect(await store.forgetUser('alice')).toEqual({ faces: 4, currentFace: true, messageLinks: 3, detachedCopies: 1, otherCurrentFaces: 1 });
    for (const id of [f.a1.id, f.a2.id, f.a3.id, f.aliceCopyOfCarol.id]) expect(await store.getFace(id)).toBeUndefined();
    expect(await store.getCurrentFaceId('alice')).toBeUndefined();
    for (const m of ['m1', 'm2', 'm4']) expect(await store.getFaceIdByMessage(m)).toBeUndefined();
  });

  it("keeps other users' faces: copies of the user's faces lose their parent (their undo chain ends there)", async () => {
    const store = open();
    const f = await twoUsers(store);
    await store.forgetUser('alice');
    expect(await store.getFace(f.bobCopy.id)).toEqual({ ...f.bobCopy, parentId: null });
    expect(await store.getFace(f.bobNext.id)).toEqual(f.bobNext);
    expect(await store.getFace(f.carolOwn.id)).toEqual(f.carolOwn);
    expect(await store.getCurrentFaceId('bob')).toBe(f.bobNext.id);
    expect(await store.getCurrentFaceId('carol')).toBeUndefined(); // it named one of alice's faces
    expect(await store.getFaceIdByMessage('m3')).toBe(f.bobCopy.id);
    const raw = new Database(dbPath, { readonly: true });
    expect(raw.pragma('foreign_key_check')).toEqual([]);
    raw.close();
  });

  it('changes nothing when any step fails (one transaction)', async () => {
    const store = open();
    const f = await twoUsers(store);
    const raw = new Database(dbPath);
    raw.exec("CREATE TRIGGER refuse BEFORE DELETE ON faces BEGIN SELECT RAISE(ABORT, 'refused'); END");
    await expect(store.forgetUser('alice')).rejects.toThrow('refused');
    raw.exec('DROP TRIGGER refuse');
    raw.close();
    expect(await store.getCurrentFaceId('alice')).toBe(f.a3.id);
    expect(await store.getCurrentFaceId('carol')).toBe(f.a1.id);
    expect(await store.getFaceIdByMessage('m1')).toBe(f.a1.id);
    expect((await store.getFace(f.bobCopy.id))?.parentId).toBe(f.a2.id);
  });

  it('a user with nothing stored gets zero counts', async () => {
    expect(await open().forgetUser('nobody')).toEqual({ faces: 0, currentFace: false, messageLinks: 0, detachedCopies: 0, otherCurrentFaces: 0 });
  });
});

describe('openSqliteStore refuses bad files, naming the path and leaving them untouched', () => {
  function expectUntouched(file: string, bytes: Buffer): void {
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  }

  it('random bytes', () => {
    const bytes = randomBytes(8192);
    fs.writeFileSync(dbPath, bytes);
    expectOpenError(dbPath, /not a SQLite database/);
    expectUntouched(dbPath, bytes);
  });

  it('a text file', () => {
    const bytes = Buffer.from('these are my notes, not a database\n');
    fs.writeFileSync(dbPath, bytes);
    expectOpenError(dbPath, /not a SQLite database/);
    expectUntouched(dbPath, bytes);
  });

  it('a SQLite header followed by garbage', () => {
    const bytes = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), randomBytes(4080)]);
    fs.writeFileSync(dbPath, bytes);
    expectOpenError(dbPath, /corrupt|not a database|malformed/i);
    expectUntouched(dbPath, bytes);
  });

  it("another application's SQLite database", () => {
    const other = new Database(dbPath);
    other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
    other.close();
    const bytes = fs.readFileSync(dbPath);
    expectOpenError(dbPath, /other application.*invoices/);
    expectUntouched(dbPath, bytes);
  });

  it('a database from a newer schema version', async () => {
    await open().close();
    const raw = new Database(dbPath);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expectOpenError(dbPath, /newer/);
  });

  it('a database locked by another process', async () => {
    await open().close();
    const holder = new Database(dbPath);
    try {
      holder.pragma('locking_mode = EXCLUSIVE');
      holder.exec('BEGIN EXCLUSIVE');
      expectOpenError(dbPath, /locked/, 50);
    } finally {
      holder.close();
    }
  });
});

describe('newFaceId', () => {
  it('is short, URL-safe and unique', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newFaceId()));
    expect(ids.size).toBe(10_000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{11}$/);
  });
});
