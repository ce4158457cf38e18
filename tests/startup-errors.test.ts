import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { axesCommand, missingModelsProblem } from '../src/render/models.js';

const TSX = path.resolve('node_modules/.bin/tsx');
const FIXTURE_MODELS = path.resolve('tests/fixtures/models');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-startup-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A command as a user runs it from the repository: no token, piped input. */
function run(script: string, env: Record<string, string>, args: string[] = []) {
  const base = { ...process.env };
  delete base.DISCORD_TOKEN;
  delete base.LOG_LEVEL;
  return spawnSync(TSX, [script, ...args], {
    input: 'a smiling woman\n',
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...base, DATABASE_PATH: path.join(tmp, 'faces.db'), MODELS_DIR: FIXTURE_MODELS, EXECUTION_PROVIDER: 'cpu', ...env },
  });
}

/** One line on stderr, no stack trace. */
function expectOneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('start-up mistakes get one clear line, not a crash', () => {
  it('LOG_LEVEL=verbose is named by the configuration check (it used to crash pino with a stack trace)', () => {
    const r = run('src/main.ts', { LOG_LEVEL: 'verbose' });
    expect(r.status).toBe(1);
    const line = expectOneLine(r.stderr);
    expect(line).toMatch(/^tellaface: invalid configuration: LOG_LEVEL: .*"info"/);
    expect(line).not.toContain(':;');
  });

  it('deploy-commands words a configuration error on one line, without "invalid configuration:;"', () => {
    const r = run('src/bot/deploy-commands.ts', { DISCORD_CLIENT_ID: 'abc' });
    expect(r.status).toBe(1);
    const line = expectOneLine(r.stderr);
    expect(line).toMatch(/^deploy-commands: invalid configuration: DISCORD_CLIENT_ID: must be the application id/);
    expect(line).not.toContain(':;');
  });

  it('MODELS_DIR at an empty folder names every missing file, and advice that keeps to that folder', () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'models-'));
    const r = run('src/main.ts', { MODELS_DIR: empty });
    expect(r.status).toBe(1);
    const line = expectOneLine(r.stderr);
    for (const file of ['generator.onnx', 'classifier.onnx', 'axes.json']) expect(line).toContain(file);
    expect(line).toContain(empty);
    expect(line).not.toContain('npm run axes'); // axes.json cannot be made without G and F
    expect(line).toMatch(/copy .* from there|unset MODELS_DIR/);
  });

  it('with G and F but no axes.json, the advice is `npm run axes` for that folder, not the repository\'s', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'models-'));
    for (const f of ['generator.onnx', 'classifier.onnx']) fs.copyFileSync(path.join(FIXTURE_MODELS, f), path.join(dir, f));
    const problem = missingModelsProblem(dir)!;
    expect(problem).toContain('axes.json');
    expect(problem).not.toContain('generator.onnx');
    expect(problem).toContain(`npm run axes -- --models-dir ${dir}`);
    expect(axesCommand('models')).toBe('`npm run axes`');
    expect(missingModelsProblem(FIXTURE_MODELS)).toBeUndefined();
  });

  it('`npm run face` without --seed says it is required, and a bad one says what it got', () => {
    const missing = run('src/cli/face.ts', {}, ['smiling']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--seed is required/);
    const bad = run('src/cli/face.ts', {}, ['smiling', '--seed', 'seven']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--seed must be a whole number .*not "seven"/);
  });

  it('`npm run face` takes its models folder from MODELS_DIR through the validated configuration', () => {
    const r = run('src/cli/face.ts', { MODELS_DIR: path.join(tmp, 'nowhere') }, ['--seed', '3', '--out', path.join(tmp, 'f.png')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(path.join(tmp, 'nowhere'));
    const badEnv = run('src/cli/face.ts', { EXECUTION_PROVIDER: 'tpu' }, ['--seed', '3']);
    expect(badEnv.status).toBe(2);
    expect(badEnv.stderr).toMatch(/^face: invalid configuration: EXECUTION_PROVIDER/);
  });
});

describe('the chat\'s exit code says when requests failed', () => {
  it('a database another process locks mid-session: the line is answered with what happened, and the exit code is 1', async () => {
    const dbPath = path.join(tmp, 'locked-later.db');
    const base = { ...process.env };
    delete base.DISCORD_TOKEN;
    const child = spawn(TSX, ['src/main.ts', '--out-dir', path.join(tmp, 'out-locked')], {
      env: { ...base, DATABASE_PATH: dbPath, MODELS_DIR: FIXTURE_MODELS, EXECUTION_PROVIDER: 'cpu', RENDER_SIZE: '64', LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const firstFace = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('.png')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write('a smiling woman\n');
    await firstFace;
    const holder = new Database(dbPath);
    try {
      holder.exec('BEGIN IMMEDIATE'); // another process takes the write lock and keeps it
      child.stdin.end('older\n');
      const code = await exited;
      expect(code).toBe(1);
    } finally {
      holder.close();
    }
    expect(stdout.split('\n').filter((l) => l.endsWith('.png'))).toHaveLength(1);
    expect(stdout).toMatch(/! the face database .* is locked by another process .*nothing was saved, try again/);
    expect(stderr).toMatch(/tellaface: 1 of 2 requests failed/);
  }, 60_000);
});
