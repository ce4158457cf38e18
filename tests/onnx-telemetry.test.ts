import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Issue 27: opening a model writes nothing to HOME (onnxruntime's telemetry keeps a device id under
 * ~/.cache unless ORT_DISABLE_TELEMETRY is set: outside the Docker volume, and a stderr warning where HOME is
 * not writable) and prints nothing. Run in a child process with an empty HOME of its own.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-home-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('opening an ONNX model', () => {
  it('leaves HOME as it was and says nothing on stderr', () => {
    const script = `import { openSession } from './src/render/onnx.ts';
      const s = await openSession('tests/fixtures/models/classifier.onnx', 'cpu');
      console.log(s.provider);`;
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home, LOG_LEVEL: 'warn' };
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('cpu');
    expect(run.stderr).toBe('');
    expect(fs.readdirSync(home)).toEqual([]);
  });
});
