import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChat } from '../src/console/chat.js';
import { createEngine } from '../src/conversation/engine.js';
import { DiskFullError } from '../src/conversation/errors.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { userMessageForError } from '../src/bot/user-errors.js';
import { errorJson } from '../src/studio/server.js';
import { makeFace } from './helpers/fake-face.js';
import { FakeRenderer, FakeScorer, makeFakeAxes } from './helpers/fake-render.js';
import { FakeStore } from './helpers/fake-store.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-full-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A writer that behaves like a full disk for the first `failures` files: half the bytes land, then ENOSPC. */
function fillingWriter(failures: number) {
  let left = failures;
  return async (file: string, data: Buffer) => {
    if (left-- > 0) {
      await fs.promises.writeFile(file, data.subarray(0, data.length >> 1));
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });
    }
    await fs.promises.writeFile(file, data);
  };
}

async function chat(lines: string[], store: FakeStore, failures: number) {
  const engine = createEngine({ store, renderer: new FakeRenderer(), scorer: new FakeScorer(), axes: makeFakeAxes(), model: 'm', random: () => 0.3 });
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  const outDir = path.join(dir, 'faces');
  // a later chat continues the stored face, as `npm start -- --continue` does (piped input starts a new face otherwise)
  const summary = await runChat({ engine, input: Readable.from([lines.join('\n')]), output, outDir, writeFile: fillingWriter(failures), continueStoredFace: true });
  return { summary, out: Buffer.concat(chunks).toString('utf8'), files: fs.readdirSync(outDir) };
}

describe('a full disk (issue 29 item 3)', () => {
  it('the chat says the disk is full and stores nothing: no face, no current face, no truncated PNG', async () => {
    const store = new FakeStore();
    const { out, files, summary } = await chat(['a smiling man'], store, 1);
    expect(out).toMatch(/! the disk is full \(.*faces\): nothing was saved; free some space and try again/);
    expect(out).not.toMatch(/something went wrong/);
    expect(summary.failed).toBe(1);
    expect(store.faces.size).toBe(0);
    expect(await store.getCurrentFaceId('console')).toBeUndefined();
    expect(files).toEqual([]);
  });

  it('a refine that hits a full disk leaves the face before it current, and the next one works', async () => {
    const store = new FakeStore();
    const first = await chat(['a smiling man'], store, 0);
    const before = await store.getCurrentFaceId('console');
    expect(first.files).toEqual([`${before}.png`]);
    // "older" is a step: it always changes the face (a target such as "with glasses" may find it there already)
    const { out, files } = await chat(['older', 'older'], store, 1);
    expect(out).toMatch(/the disk is full/);
    const now = await store.getCurrentFaceId('console');
    expect(store.faces.size).toBe(2); // the first face and the one after the disk had room again
    expect(store.faces.get(now!)?.edits.map((e) => e.text)).toEqual(['a smiling man', 'older']);
    expect(files.sort()).toEqual([`${before}.png`, `${now}.png`].sort());
  });

  it('SQLite\'s "database or disk is full" reaches the user as "the disk is full"', async () => {
    const store = openSqliteStore(path.join(dir, 'faces.db'));
    try {
      // a size limit fails writes exactly as a full disk does (SQLITE_FULL)
      const db = (store as unknown as { db: { pragma(s: string, o?: { simple: boolean }): unknown } }).db;
      const pages = Number(db.pragma('page_count', { simple: true }));
      db.pragma(`max_page_count = ${pages + 1}`);
      const big = makeFace({ ownerId: 'u', edits: [{ text: 'x'.repeat(400), weights: {}, mode: {}, locks: [] }] });
      let n = 0;
      const save = async () => {
        for (let i = 0; i < 200; i++) await store.saveFace({ ...big, id: `full${n++}` });
      };
      await expect(save()).rejects.toThrow(DiskFullError);
      await expect(save()).rejects.toThrow(/^the disk is full \(.*faces\.db\): nothing was saved/);
    } finally {
      await store.close();
    }
  });

  it('Discord and the studio say it too', () => {
    const full = new DiskFullError('/data/tellaface.db');
    expect(userMessageForError(full)).toMatch(/disk is full, so nothing was saved/);
    expect(errorJson(full)).toMatchObject({ status: 507, body: { error: expect.stringMatching(/The disk is full: nothing was saved/) } });
  });
});
