/**
 * A throwaway PostgreSQL server for tests: initdb into a temporary folder, started on a free port of
 * 127.0.0.1 (password login over TCP, its unix socket in the same folder), stopped and deleted afterwards.
 * The binaries come from Debian's `postgresql` package (/usr/lib/postgresql/<version>/bin), which .ci/run
 * installs. Postgres refuses to run as root: as root (CI) the server runs as the `postgres` user the
 * package creates, through runuser.
 *
 * Without the binaries the Postgres tests skip, but only outside CI: with CI set, importing this throws.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The newest /usr/lib/postgresql/<version>/bin that has initdb, pg_ctl and postgres (or PG_BIN_DIR). */
export function findPostgresBin(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BIN_DIR) candidates.push(process.env.PG_BIN_DIR);
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs.readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(root, v, 'bin')));
  }
  return candidates.find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((b) => fs.existsSync(path.join(dir, b))));
}

export const POSTGRES_BIN = findPostgresBin();
if (!POSTGRES_BIN && process.env.CI !== undefined) {
  throw new Error(
    'CI is set but the PostgreSQL server binaries (initdb, pg_ctl, postgres) are not under /usr/lib/postgresql/*/bin: ' +
      '.ci/run installs Debian\'s postgresql package; the Postgres store tests must run in CI',
  );
}
/** Why the Postgres tests skip here (undefined: they run). */
export const POSTGRES_SKIP_REASON = POSTGRES_BIN
  ? undefined
  : 'PostgreSQL server binaries not found (apt-get install postgresql); skipped outside CI';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The temporary folder (data directory, socket, log). */
  readonly dir: string;
  /** postgres://user:password@127.0.0.1:port/database */
  url(database: string, login?: { user: string; password: string }): string;
  /** A fresh, empty database; returns its URL. */
  createDatabase(): Promise<{ name: string; url: string }>;
  /** Runs SQL as the superuser in a database. */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(database: string, text: string, values?: unknown[]): Promise<R[]>;
  /** Stops the server as a crash would (SIGQUIT to every backend, no checkpoint), or cleanly. */
  stop(mode?: 'immediate' | 'fast'): void;
  /** Starts it again on the same data directory and port. */
  start(): void;
  /** Stops it and deletes its folder. */
  destroy(): void;
}

let databases = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A port on 127.0.0.1 where nothing listens (for "unreachable server" tests). */
export const closedPort = freePort;

export async function startPostgres(): Promise<PostgresServer> {
  const bin = POSTGRES_BIN;
  if (!bin) throw new Error(POSTGRES_SKIP_REASON);
  const asRoot = process.getuid?.() === 0;
  const runAs = asRoot ? postgresUser() : undefined;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const pwFile = path.join(dir, 'pw');
  const user = 'tellaface_test';
  const password = `pw-${randomBytes(12).toString('hex')}`;
  fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    fs.chownSync(dir, runAs.uid, runAs.gid);
    fs.chownSync(pwFile, runAs.uid, runAs.gid);
  }

  const run = (cmd: string, args: string[]): SpawnSyncReturns<string> => {
    const [file, argv] = runAs ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    return spawnSync(file, argv, { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  };
  const check = (what: string, result: SpawnSyncReturns<string>) => {
    if (result.status !== 0) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(`${what} failed (${result.status ?? result.signal ?? result.error?.message}): ${result.stderr}${result.stdout}\n${log}`);
    }
  };

  check(
    'initdb',
    run('initdb', [
      '-D', data, '-U', user, `--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=trust',
      '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ]),
  );
  fs.rmSync(pwFile);

  let port = 0;
  // fsync=off: faster database creation and crash recovery. The crash test kills the server's processes,
  // which loses nothing the kernel already has (every commit's WAL is written before it is acknowledged);
  // only a power cut would need the fsync, and no test can make one.
  const start = () => {
    check(
      'pg_ctl start',
      run('pg_ctl', [
        '-D', data, '-l', logFile, '-w', '-t', '60', '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=60 -c shared_buffers=16MB -c fsync=off`,
        'start',
      ]),
    );
  };
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      start();
      break;
    } catch (err) {
      if (attempt >= 3) throw err; // someone took the port between freePort and the server's bind: try another
    }
  }

  const stop = (mode: 'immediate' | 'fast' = 'fast') => {
    if (fs.existsSync(path.join(data, 'postmaster.pid'))) check('pg_ctl stop', run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']));
  };
  const destroy = () => {
    try {
      stop('immediate');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      process.off('exit', destroy);
    }
  };
  // a worker that dies without afterAll must not leave a server running
  process.on('exit', destroy);

  const url = (database: string, login = { user, password }) =>
    `postgres://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@127.0.0.1:${port}/${database}`;

  const sql = async <R extends pg.QueryResultRow>(database: string, text: string, values?: unknown[]): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    dir,
    url,
    async createDatabase() {
      databases += 1;
      const name = `t${process.pid}_${databases}`;
      await sql('postgres', `CREATE DATABASE ${name}`);
      return { name, url: url(name) };
    },
    sql,
    stop,
    start,
    destroy,
  };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('running as root, and there is no `postgres` user to run the test server as (Debian\'s postgresql package creates it)');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
