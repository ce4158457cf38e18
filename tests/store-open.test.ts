import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, StoreOpenError } from '../src/store/sqlite-store.js';
import { makeEdit, makeFace } from './helpers/fake-face.js';

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-store-open-'));
  dbPath = path.join(dir, 'faces.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function openError(busyTimeoutMs?: number): StoreOpenError {
  let caught: unknown;
  try {
    openSqliteStore(dbPath, { busyTimeoutMs }).close();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(StoreOpenError);
  return caught as StoreOpenError;
}

/** A database of a few hundred faces: many pages, so that one can be damaged while the header and schema stay whole. */
async function manyFaces(): Promise<void> {
  const store = openSqliteStore(dbPath);
  for (let i = 0; i < 400; i++) {
    await store.saveFace(makeFace({ edits: [makeEdit(`an older man with a beard, number ${i}`, { Male: 1, Young: -1 })] }));
  }
  await store.close();
}

describe('openSqliteStore checks the whole file at start', () => {
  it.each([6, 9, 14])('a database damaged past its header (page %i of face rows) is refused with what to do, and left untouched', async (page) => {
    await manyFaces();
    const bytes = fs.readFileSync(dbPath);
    const pageSize = bytes.readUInt16BE(16);
    expect(bytes.length / pageSize).toBeGreaterThan(10);
    // the header and the schema page are whole; a page of face rows in the middle is not
    const damaged = Buffer.from(bytes);
    damaged.fill(0xa5, page * pageSize, (page + 1) * pageSize);
    fs.writeFileSync(dbPath, damaged);
    const err = openError();
    expect(err.message).toContain(dbPath);
    expect(err.message).toMatch(/damaged|corrupt/);
    expect(err.message).toMatch(/restore a backup|move it away/);
    expect(fs.readFileSync(dbPath).equals(damaged)).toBe(true);
  });

  it('a whole database opens, and keeps its faces', async () => {
    await manyFaces();
    const store = openSqliteStore(dbPath);
    expect(store).toBeDefined();
    await store.close();
  });

  it('a database another process holds a write lock on (WAL: reads still work) fails at start, not on the first face', async () => {
    await openSqliteStore(dbPath).close();
    const holder = new Database(dbPath);
    try {
      holder.exec('BEGIN IMMEDIATE');
      const err = openError(50);
      expect(err.message).toMatch(/locked by another process/);
    } finally {
      holder.close();
    }
  });
});
