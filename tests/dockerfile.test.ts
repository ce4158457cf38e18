import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Base images cannot be pulled here, so this runs the Dockerfile's own steps, read from the file, in a
 * clean directory that stands for the image's WORKDIR: its COPY lines, its npm RUN lines (the install the
 * image does), then its CMD with piped input, as `docker run` would, as the image's user: uid 1000 (the
 * base image's `node`) in a copy owned by root, as the image's /app is, with only the volume given to that
 * user. Run by a user other than root (who cannot switch user), the copy is made read-only instead, outside
 * the volume. What it cannot run is said: the apt-get line (the base image's build tools, checked to exist).
 */

const ROOT = path.resolve(import.meta.dirname, '..');

interface Step { op: string; args: string }

/** The base image's `node` user, which the image's USER names. */
const IMAGE_USER = { name: 'node', uid: 1000, gid: 1000 };
const asRoot = process.getuid?.() === 0;

/**
 * A child process, awaited: the install takes minutes, and a synchronous spawn would block the test
 * worker's event loop for all of them (vitest then times out talking to it).
 */
function runAsync(
  command: string, args: string[],
  options: { cwd: string; env: Record<string, string>; input?: string; timeoutMs: number; uid?: number; gid?: number },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { cwd, env, timeoutMs: timeout, uid, gid } = options;
    const child = spawn(command, args, { cwd, env, timeout, ...(uid === undefined ? {} : { uid, gid }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    // a command that reads no input may exit before its stdin is closed: EPIPE then is not a failure
    child.stdin.on('error', () => undefined);
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
fs.chmodSync(tmp, 0o755); // the image's user must reach /app, as in the image (mkdtemp makes it 0700)
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the Dockerfile, run step by step in a clean directory', () => {
  it('installs with its own npm command and answers a description with a face', { timeout: 25 * 60_000 }, async () => {
    const workdir = steps.find((s) => s.op === 'WORKDIR')?.args;
    expect(workdir).toBeDefined();
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app, { recursive: true });
    const here = (p: string) => p.split(workdir!).join(app); // the image's paths, mapped to the clean directory

    // a private npm cache, as in a fresh image (and so removing the cache removes only that); this machine's
    // own npm settings (HOME's .npmrc: where node's headers are, for compiling better-sqlite3 offline) stay
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmp,
      npm_config_cache: path.join(tmp, 'npm-cache'),
      npm_config_update_notifier: 'false',
      // .ci/with-node24 points npm at the headers of the Node it runs (better-sqlite3 compiles against them) and
      // at this machine's global npmrc (npm looks for it next to the node binary)
      ...Object.fromEntries(['npm_config_nodedir', 'npm_config_globalconfig'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : []))),
    };
    const skipped: string[] = [];
    let cmd: string[] | undefined;
    let user: string | undefined;
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
        // `chown node:node DIR`: the image's user owns DIR (only root can give it away; else it is ours already)
        const owner = `${IMAGE_USER.uid}:${IMAGE_USER.gid}`;
        const command = here(args)
          .replace(/&&\s*chown\s+(-R\s+)?(\S+)\s+([^&]*)/g, (_m, r: string | undefined, who: string, dirs: string) => {
            expect(who, 'chown to the image user').toBe(`${IMAGE_USER.name}:${IMAGE_USER.name}`);
            return asRoot ? `&& chown ${r ?? ''}${owner} ${dirs}` : '';
          })
          .trim();
        const run = await runAsync('sh', ['-c', command], { cwd: app, env, timeoutMs: 20 * 60_000 });
        expect(run.status, `RUN ${command}\n${run.stdout}\n${run.stderr}`).toBe(0);
        // no warning the project could prevent (unknown .npmrc keys, install scripts outside allowScripts);
        // only "unsupported engine" where this machine's Node is older than package.json's engines
        const warnings = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => /^npm warn/i.test(l));
        expect(warnings.filter((l) => !/EBADENGINE/.test(l)), `RUN ${command}`).toEqual([]);
        if (Number(process.versions.node.split('.')[0]) >= 22) expect(warnings).toEqual([]);
      } else if (op === 'CMD') {
        cmd = JSON.parse(args) as string[];
      } else if (op === 'USER') {
        user = args;
      } else if (op === 'VOLUME') {
        expect(JSON.parse(args)).toEqual([path.dirname(env.DATABASE_PATH!).split(app).join(workdir!)]);
      }
    }
    expect(skipped).toHaveLength(1);
    expect(fs.existsSync(path.join(app, 'node_modules', 'onnxruntime-node'))).toBe(true);
    expect(fs.existsSync(path.join(app, 'node_modules', 'vitest')), 'dev dependencies stay out of the image').toBe(false);

    // `docker run -i tellaface` without a token: the local chat on stdin/stdout, as the image's user, who
    // may write only to the volume (HOME and TMPDIR are not theirs either)
    expect(user).toBe(IMAGE_USER.name);
    expect(cmd).toEqual(['node', '--import', 'tsx', 'src/main.ts']);
    const volume = path.dirname(env.DATABASE_PATH!);
    expect(env.OUT_DIR, 'the chat saves its pictures on the volume').toBe(path.join(volume, 'out'));
    const closed = path.join(tmp, 'not-writable');
    fs.mkdirSync(closed, { mode: 0o555 });
    const readOnly = (mode: 'lock' | 'unlock') => {
      // not root: the copy outside the volume is made read-only instead of owned by another user
      if (asRoot) return;
      const walk = (p: string) => {
        if (p === volume) return;
        const st = fs.lstatSync(p);
        if (st.isSymbolicLink()) return;
        if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
        fs.chmodSync(p, mode === 'lock' ? st.mode & ~0o222 : st.mode | 0o200);
      };
      walk(app);
    };
    readOnly('lock');
    const before = listFiles(app, volume);
    let started;
    try {
      started = await runAsync(cmd![0]!, cmd!.slice(1), {
        cwd: app,
        env: { ...env, HOME: closed, TMPDIR: closed },
        input: 'a smiling woman with glasses\nolder\n',
        timeoutMs: 5 * 60_000,
        ...(asRoot ? { uid: IMAGE_USER.uid, gid: IMAGE_USER.gid } : {}),
      });
    } finally {
      readOnly('unlock');
    }
    expect(started.status, started.stderr).toBe(0);
    expect(started.stderr, 'the chat writes no log line unless LOG_LEVEL asks').toBe('');
    const pngs = started.stdout.split('\n').filter((l) => l.endsWith('.png'));
    expect(pngs).toHaveLength(2);
    for (const file of pngs) {
      const full = path.resolve(app, file);
      expect(full.startsWith(volume + path.sep), `${file} is on the volume`).toBe(true);
      const bytes = fs.readFileSync(full);
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      if (asRoot) expect(fs.statSync(full).uid, 'written by the image user').toBe(IMAGE_USER.uid);
    }
    expect(fs.existsSync(env.DATABASE_PATH!), 'the face is stored where the image keeps its volume').toBe(true);
    expect(listFiles(app, volume), 'nothing written outside the volume').toEqual(before);
    expect(fs.readdirSync(closed)).toEqual([]);
  });
});

/** Every path under dir except those under skip, sorted. */
function listFiles(dir: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (p === skip) return;
    out.push(p);
    if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
  return out.sort();
}
