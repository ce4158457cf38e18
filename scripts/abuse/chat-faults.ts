/**
 * The abuse probe's runs of the shipped chat under faults: kill -9 mid-request, a full disk, PostgreSQL
 * stopped and started, Redis unreachable at start and lost mid-run. Each returns the figures it prints.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startPostgres } from '../../tests/helpers/postgres-server.js';
import { startRedisServer } from '../../tests/helpers/redis-server.js';
import { ChatProcess, leftovers, pngOf, wholePng } from './chat-process.js';
import { seeded } from './fuzz.js';

const LINES = ['older', 'smiling', 'with glasses', 'younger', '/undo', '/reroll', 'no glasses', 'blond hair', '/new a woman with a beard', 'more serious'];
const WRONG = /something went wrong/;

const made: string[] = [];

function tempDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `abuse-${name}-`));
  made.push(dir);
  return dir;
}

/** Removes the folders the runs made (a tmpfs is unmounted by its run). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Faces the chat printed that the SQLite file does not hold; its integrity check; PNGs not whole. */
function checkSqlite(file: string, outDir: string, printed: readonly string[]) {
  const db = new Database(file, { readonly: true });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const has = db.prepare('SELECT 1 FROM faces WHERE id = ?');
    const lost = printed.filter((id) => !has.get(id)).length;
    const faces = Number(db.prepare('SELECT count(*) FROM faces').pluck().get());
    const brokenPngs = [...new Set(printed)].filter((id) => !wholePng(pngOf(outDir, id))).length;
    return { integrity, lost, faces, brokenPngs, leftovers: leftovers(outDir) };
  } finally {
    db.close();
  }
}

/**
 * The face a restarted chat continues is the right one: the last face it showed, or what the request the kill
 * landed in had already stored (a face not shown, made after it), or that request's undo (its parent).
 */
function continuedRightly(file: string, id: string, lastShown: string, shown: readonly string[]): boolean {
  if (id === lastShown) return true;
  const db = new Database(file, { readonly: true });
  try {
    const at = db.prepare<[string], { created_at: number; parent_id: string | null }>('SELECT created_at, parent_id FROM faces WHERE id = ?');
    const face = at.get(id);
    const last = at.get(lastShown);
    if (!face || !last) return false;
    return (!shown.includes(id) && face.created_at >= last.created_at) || last.parent_id === id;
  } finally {
    db.close();
  }
}

export async function killNine(kills: number, seed = 9) {
  const rand = seeded(seed);
  const dir = tempDir('kill');
  const env = { DATABASE_PATH: path.join(dir, 'faces.db') };
  const outDir = path.join(dir, 'out');
  const printed: string[] = [];
  let rightContinued = 0;
  const wrongStarts: string[] = [];
  let wrongWords = 0;
  let lines = 0;
  let lastShown: string | undefined;
  for (let k = 0; k <= kills; k++) {
    const chat = new ChatProcess(outDir, env);
    if (lastShown) {
      const first = await chat.firstLine(120_000);
      const id = /^continuing face ([\w-]+)/.exec(first ?? '')?.[1];
      if (id && continuedRightly(env.DATABASE_PATH, id, lastShown, printed.concat(chat.faces))) rightContinued++;
      else wrongStarts.push(first ?? '(nothing)');
    }
    const n = 2 + Math.floor(rand() * 4);
    for (let i = 0; i < n; i++) {
      const line = lines === 0 ? '/new a smiling man' : LINES[Math.floor(rand() * LINES.length)]!;
      lines++;
      const answer = await chat.ask(line);
      if (answer && WRONG.test(answer)) wrongWords++;
    }
    if (k < kills) {
      chat.send(LINES[Math.floor(rand() * LINES.length)]!); // the request the kill lands in
      await new Promise((r) => setTimeout(r, 50 + rand() * 400));
      chat.kill9();
      await chat.exited;
    } else {
      await chat.close();
    }
    printed.push(...chat.faces);
    lastShown = chat.faces.at(-1) ?? lastShown;
  }
  const check = checkSqlite(env.DATABASE_PATH, outDir, printed);
  fs.rmSync(dir, { recursive: true, force: true });
  return { kills, lines, facesShown: printed.length, ...check, rightContinued: `${rightContinued}/${kills}`, ...(wrongStarts.length ? { wrongStarts } : {}), somethingWentWrong: wrongWords };
}

/** A 1 MB tmpfs for the database and the PNGs (needs root and mount; skipped otherwise). */
export async function fullDisk(lineCount: number) {
  const dir = tempDir('full');
  if (process.getuid?.() !== 0 || spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { skipped: 'needs root and mount -t tmpfs' };
  }
  try {
    const env = { DATABASE_PATH: path.join(dir, 'faces.db') };
    const outDir = path.join(dir, 'out');
    const chat = new ChatProcess(outDir, env);
    const answers: string[] = [];
    for (let i = 0; i < lineCount; i++) answers.push((await chat.ask(i === 0 ? '/new a smiling man' : LINES[i % 4]!)) ?? '(no answer)');
    await chat.close();
    const check = checkSqlite(env.DATABASE_PATH, outDir, chat.faces);
    return {
      lines: lineCount, facesShown: chat.faces.length,
      saidDiskFull: answers.filter((a) => /the disk is full/.test(a)).length,
      somethingWentWrong: answers.filter((a) => WRONG.test(a)).length,
      noAnswer: answers.filter((a) => a === '(no answer)').length,
      ...check,
    };
  } finally {
    spawnSync('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function postgresRestart(lineCount: number) {
  const pg = await startPostgres();
  try {
    const db = await pg.createDatabase();
    const outDir = path.join(tempDir('pg'), 'out');
    const chat = new ChatProcess(outDir, { DATABASE_URL: db.url });
    const answers: string[] = [];
    const ask = async (line: string) => answers.push((await chat.ask(line)) ?? '(no answer)');
    await ask('/new a smiling man');
    for (let i = 0; i < lineCount; i++) await ask(LINES[i % 4]!);
    pg.stop('immediate');
    const during = answers.length;
    for (let i = 0; i < 3; i++) await ask(LINES[i % 4]!);
    pg.start();
    await new Promise((r) => setTimeout(r, 1500));
    const shownBefore = chat.faces.length;
    for (let i = 0; i < lineCount; i++) await ask(LINES[i % 4]!);
    await chat.close();
    const stored = new Set((await pg.sql<{ id: string }>(db.name, 'SELECT id FROM faces')).map((r) => r.id));
    return {
      facesShown: chat.faces.length, lost: chat.faces.filter((id) => !stored.has(id)).length,
      duringOutage: answers.slice(during, during + 3).map((a) => a.slice(0, 90)),
      recoveredWithoutRestart: chat.faces.length > shownBefore,
      somethingWentWrong: answers.filter((a) => WRONG.test(a)).length,
    };
  } finally {
    pg.destroy();
  }
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Seconds until the chat exits, or 'hung' past 60 s. */
async function startUp(env: Record<string, string>): Promise<{ seconds: number | 'hung'; code: number | null; said: string }> {
  const t0 = Date.now();
  const chat = new ChatProcess(path.join(tempDir('redis-start'), 'out'), { DATABASE_PATH: path.join(tempDir('redis-db'), 'f.db'), ...env });
  const code = await Promise.race([chat.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
  if (code === 'hung') {
    chat.kill9();
    return { seconds: 'hung', code: null, said: chat.stderr.at(-1) ?? '' };
  }
  return { seconds: Math.round((Date.now() - t0) / 100) / 10, code, said: (chat.stderr.find((l) => l.startsWith('tellaface:')) ?? '').slice(0, 160) };
}

export async function redisFaults(lineCount: number) {
  const password = 'abuse-pw-29';
  const redis = await startRedisServer({ password });
  try {
    const unreachable = await startUp({ RENDER_WORKERS: 'redis', REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    const wrongPassword = await startUp({ RENDER_WORKERS: 'redis', REDIS_URL: `redis://:wrong@127.0.0.1:${redis.port}` });
    const badDatabase = await startUp({ RENDER_WORKERS: 'redis', REDIS_URL: `redis://:${password}@127.0.0.1:${redis.port}/abc` });
    const render = spawn('node_modules/.bin/tsx', ['src/render/worker-main.ts'], { env: { ...process.env, REDIS_URL: redis.url, LOG_LEVEL: 'error' }, stdio: 'ignore' });
    try {
      const chat = new ChatProcess(path.join(tempDir('redis'), 'out'), { DATABASE_PATH: path.join(tempDir('redis-db'), 'f.db'), RENDER_WORKERS: 'redis', REDIS_URL: redis.url });
      const answers: string[] = [];
      const ask = async (line: string) => answers.push((await chat.ask(line)) ?? '(no answer)');
      await ask('/new a smiling man');
      for (let i = 0; i < lineCount; i++) await ask(LINES[i % 4]!);
      await redis.stop();
      const during = answers.length;
      for (let i = 0; i < 3; i++) await ask(LINES[i % 4]!);
      await redis.start();
      await new Promise((r) => setTimeout(r, 3000));
      const shownBefore = chat.faces.length;
      for (let i = 0; i < lineCount; i++) await ask(LINES[i % 4]!);
      await chat.close();
      return {
        startUnreachable: unreachable, startWrongPassword: wrongPassword, startBadDatabase: badDatabase,
        duringOutage: answers.slice(during, during + 3).map((a) => a.slice(0, 90)),
        recoveredWithoutRestart: chat.faces.length > shownBefore,
        somethingWentWrong: answers.filter((a) => WRONG.test(a)).length,
        noAnswer: answers.filter((a) => a === '(no answer)').length,
      };
    } finally {
      render.kill('SIGTERM');
    }
  } finally {
    await redis.dispose();
  }
}
