import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { searchStart, withStart } from '../src/latent/candidates.js';

const TSX = path.resolve('node_modules/.bin/tsx');
const FIXTURE_MODELS = path.resolve('tests/fixtures/models');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-console-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** `npm start` as a user pipes into it: no TTY, no DISCORD_TOKEN. A variable given as undefined is unset. */
function start(input: string, env: Record<string, string | undefined> = {}) {
  const base = { ...process.env };
  delete base.DISCORD_TOKEN;
  const merged: Record<string, string | undefined> = {
    ...base,
    MODELS_DIR: FIXTURE_MODELS,
    DATABASE_PATH: path.join(tmp, 't.db'),
    EXECUTION_PROVIDER: 'cpu',
    RENDER_SIZE: '64',
    LOG_LEVEL: 'warn',
    ...env,
  };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return spawnSync(TSX, ['src/main.ts', '--out-dir', path.join(tmp, 'out')], { input, encoding: 'utf8', timeout: 120_000, env: merged });
}

describe('npm start without a token: the local chat', () => {
  it('draws, refines (same seed), rerolls and undoes from piped input, then exits at EOF', async () => {
    const run = start('a smiling young woman\nolder, with glasses\n/reroll\n/undo\n');
    expect(run.status, run.stderr).toBe(0);

    const saved = run.stdout.split('\n').filter((l) => l.endsWith('.png'));
    expect(saved).toHaveLength(4);
    const files = fs.readdirSync(path.join(tmp, 'out'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(fs.readFileSync(path.join(tmp, 'out', f)).subarray(0, 8)).toEqual(PNG_SIGNATURE);

    const [described, refined, rerolled, undone] = saved.map((p) => path.basename(p, '.png'));
    const store = openSqliteStore(path.join(tmp, 't.db'));
    try {
      const first = await store.getFace(described!);
      const second = await store.getFace(refined!);
      const third = await store.getFace(rerolled!);
      expect(second?.seed).toBe(first?.seed);
      expect(second?.parentId).toBe(first?.id);
      // a reroll keeps the words; a face the seed search started moves to its seed's next candidate set
      expect(withStart(third!.edits, undefined)).toEqual(withStart(second!.edits, undefined));
      expect(searchStart(third?.edits)?.set).toBe(1);
      expect(searchStart(second?.edits)?.set).toBe(0);
      expect(third?.seed).toBe(second?.seed);
      expect(undone).toBe(refined);
      expect(await store.getCurrentFaceId('console')).toBe(refined);
    } finally {
      await store.close();
    }
    const seed = (run.stdout.match(/new face, seed (\d+)/) ?? [])[1];
    expect(run.stdout).toContain(`same seed ${seed}`);
    expect(run.stdout).toContain(`rerolled: seed ${seed}, candidate set 0 → 1`);
  });

  it('prints only the chat\'s own lines: no log line unless LOG_LEVEL asks for one (issue 27)', () => {
    const quiet = start('a smiling woman\n', { LOG_LEVEL: undefined, NODE_ENV: 'production' });
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout.trim().split('\n')).toHaveLength(2); // the picture's path, and what it shows
    const asked = start('a smiling woman\n', { LOG_LEVEL: 'info', NODE_ENV: 'production', DATABASE_PATH: path.join(tmp, 'u.db') });
    expect(asked.stderr).toMatch(/"msg":"ONNX execution provider: cpu"/);
  });

  it('stops with one line naming a corrupt database', () => {
    const db = path.join(tmp, 'broken.db');
    const bytes = randomBytes(4096);
    fs.writeFileSync(db, bytes);
    const run = start('smiling\n', { DATABASE_PATH: db });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(db);
    expect(fs.readFileSync(db).equals(bytes)).toBe(true);
  });

  it('stops with one line naming a missing model file', () => {
    const empty = path.join(tmp, 'no-models');
    fs.mkdirSync(empty);
    const run = start('smiling\n', { MODELS_DIR: empty });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(empty);
    expect(run.stderr).toMatch(/axes\.json|generator\.onnx|classifier\.onnx/);
  });

  it('stops with one line for a bad setting', () => {
    const run = start('smiling\n', { RENDER_SIZE: 'huge' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('RENDER_SIZE');
  });
});
