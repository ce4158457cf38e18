import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Base images cannot be pulled here, so this runs the Dockerfile's own steps, read from the file, in a
 * clean directory that stands for the image's WORKDIR: its COPY lines, its npm RUN lines (the install the
 * image does), then its CMD with piped input, as `docker run` would. What it cannot run is said: the
 * apt-get line (the base image's build tools, checked to exist here) and ownership changes (no `node` user).
 */

const ROOT = path.resolve(import.meta.dirname, '..');

interface Step { op: string; args: string }

/**
 * A child process, awaited: the install takes minutes, and a synchronous spawn would block the test
 * worker's event loop for all of them (vitest then times out talking to it).
 */
function runAsync(
  command: string, args: string[], options: { cwd: string; env: Record<string, string>; input?: string; timeoutMs: number },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function readDockerfile(file: string): Step[] {
  const joined = fs.readFileSync(file, 'utf8').replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [, op = '', args = ''] = /^(\S+)\s+(.*)$/.exec(l) ?? [];
      return { op: op.toUpperCase(), args };
    });
}

/** `ENV A=1 B=2` pairs (values without spaces, as this Dockerfile writes them). */
function envPairs(args: string): Record<string, string> {
  return Object.fromEntries(args.split(/\s+/).map((kv) => kv.split('=', 2) as [string, string]));
}

const steps = readDockerfile(path.join(ROOT, 'Dockerfile'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-docker-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the Dockerfile, run step by step in a clean directory', () => {
  it('installs with its own npm command and answers a description with a face', { timeout: 25 * 60_000 }, async () => {
    const workdir = steps.find((s) => s.op === 'WORKDIR')?.args;
    expect(workdir).toBeDefined();
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app, { recursive: true });
    const here = (p: string) => p.split(workdir!).join(app); // the image's paths, mapped to the clean directory

    // a private npm cache, as in a fresh image (and so `npm cache clean` cleans only that); this machine's
    // own npm settings (HOME's .npmrc: where node's headers are, for compiling better-sqlite3 offline) stay
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmp,
      npm_config_cache: path.join(tmp, 'npm-cache'),
      npm_config_update_notifier: 'false',
    };
    const skipped: string[] = [];
    let cmd: string[] | undefined;
    for (const { op, args } of steps) {
      if (op === 'ENV') {
        for (const [k, v] of Object.entries(envPairs(args))) env[k] = here(v);
      } else if (op === 'COPY') {
        const parts = args.split(/\s+/);
        const dest = path.resolve(app, here(parts.pop()!));
        for (const src of parts) {
          const from = path.join(ROOT, src);
          expect(fs.existsSync(from), `COPY ${src}: not in the repository`).toBe(true);
          const to = parts.length > 1 || args.endsWith('/') ? path.join(dest, path.basename(src)) : dest;
          fs.cpSync(from, to, { recursive: true });
        }
      } else if (op === 'RUN') {
        if (/apt-get/.test(args)) {
          // the base image's build tools for better-sqlite3: this machine must have the same
          for (const tool of ['python3', 'make', 'g++']) {
            expect(spawnSync('sh', ['-c', `command -v ${tool}`]).status, `${tool} is needed`).toBe(0);
          }
          skipped.push(args);
          continue;
        }
        const command = here(args).replace(/&&\s*chown\s+[^&]*/g, '').trim();
        const run = await runAsync('sh', ['-c', command], { cwd: app, env, timeoutMs: 20 * 60_000 });
        expect(run.status, `RUN ${command}\n${run.stdout}\n${run.stderr}`).toBe(0);
      } else if (op === 'CMD') {
        cmd = JSON.parse(args) as string[];
      }
    }
    expect(skipped).toHaveLength(1);
    expect(fs.existsSync(path.join(app, 'node_modules', 'onnxruntime-node'))).toBe(true);
    expect(fs.existsSync(path.join(app, 'node_modules', 'vitest')), 'dev dependencies stay out of the image').toBe(false);

    // `docker run -i tellaface` without a token: the local chat on stdin/stdout
    expect(cmd).toEqual(['npm', 'start', '--silent']);
    const started = await runAsync(cmd![0]!, cmd!.slice(1), {
      cwd: app, env, input: 'a smiling woman with glasses\nolder\n', timeoutMs: 5 * 60_000,
    });
    expect(started.status, started.stderr).toBe(0);
    const pngs = started.stdout.split('\n').filter((l) => l.endsWith('.png'));
    expect(pngs).toHaveLength(2);
    for (const file of pngs) {
      const bytes = fs.readFileSync(path.resolve(app, file));
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    expect(fs.existsSync(env.DATABASE_PATH!), 'the face is stored where the image keeps its volume').toBe(true);
  });
});
