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
import { describeStoreContract } from './helpers/store-contract.js';

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

describe('SqliteFaceStore: the FaceStore contract (tests/helpers/store-contract.ts)', () => {
  describeStoreContract({
    open: async () => open(),
    refuseFaceDeletes: async () => {
      const raw = new Database(dbPath);
      raw.exec("CREATE TRIGGER refuse BEFORE DELETE ON faces BEGIN SELECT RAISE(ABORT, 'refused'); END");
      return async () => {
        raw.exec('DROP TRIGGER refuse');
        raw.close();
      };
    },
    danglingReferences: async () => {
      const raw = new Database(dbPath, { readonly: true });
      try {
        return raw.pragma('foreign_key_check') as unknown[];
      } finally {
        raw.close();
      }
    },
  });
});

describe('SqliteFaceStore', () => {
  it('keeps its file in WAL mode at the current schema version', async () => {
    await open().close();
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
