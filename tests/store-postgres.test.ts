/**
 * The PostgreSQL store against a real server (tests/helpers/postgres-server.ts starts a throwaway one):
 * the FaceStore contract SQLite passes, then what only a server brings: an unreachable server, someone
 * else's schema, processes migrating together, a face made in one process refined from another, a server
 * crash. Skips without the binaries only outside CI.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { StoreBusyError, StoreOpenError } from '../src/store/errors.js';
import { openFaceStore } from '../src/store/open.js';
import { PG_MIGRATION_LOCK, PG_SCHEMA_VERSION } from '../src/store/postgres-migrations.js';
import { describeDatabaseUrl, openPostgresStore, PostgresFaceStore, StoreUnavailableError, type PostgresStoreOptions } from '../src/store/postgres-store.js';
import { SqliteFaceStore } from '../src/store/sqlite-store.js';
import type { FaceStore } from '../src/store/types.js';
import { makeEdit, makeFace } from './helpers/fake-face.js';
import { closedPort, POSTGRES_SKIP_REASON, startPostgres, type PostgresServer } from './helpers/postgres-server.js';
import { describeStoreContract } from './helpers/store-contract.js';

const TSX = path.resolve('node_modules/.bin/tsx');
const STORE_MODULE = path.resolve('src/store/postgres-store.ts');
const FIXTURE_MODELS = path.resolve('tests/fixtures/models');

describe('DATABASE_URL (no server needed)', () => {
  it('is optional: without it the store is the SQLite file at DATABASE_PATH', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-open-'));
    try {
      const config = loadConfig({ DATABASE_PATH: path.join(dir, 'faces.db'), DATABASE_URL: '  ' });
      expect(config.DATABASE_URL).toBeUndefined();
      const store = await openFaceStore(config);
      expect(store).toBeInstanceOf(SqliteFaceStore);
      await store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts postgres:// and postgresql:// URLs', () => {
    for (const url of ['postgres://u:p@db.example:5432/faces', 'postgresql://db.example/faces', 'postgres://u@/faces?host=/run/postgresql', 'postgres:///faces']) {
      expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    }
  });

  it('refuses anything else, naming the variable but never echoing its value', () => {
    for (const url of ['mysql://u:hunter2secret@db/faces', 'hunter2secret', 'postgres//u:hunter2secret@db']) {
      let caught: unknown;
      try {
        loadConfig({ DATABASE_URL: url });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as Error).message).toMatch(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
      expect((caught as Error).message).not.toContain('hunter2secret');
    }
  });

  it('is named in messages without its password or options', () => {
    expect(describeDatabaseUrl('postgres://bot:s3cret@db.example:6432/faces?sslmode=require')).toBe('postgres://bot@db.example:6432/faces');
    expect(describeDatabaseUrl('postgresql://bot:s3cret@db.example/faces')).toBe('postgres://bot@db.example:5432/faces');
    expect(describeDatabaseUrl('postgres://bot@/faces?host=/run/postgresql')).toBe('postgres://bot@/run/postgresql:5432/faces');
    expect(describeDatabaseUrl('postgres://db.example/faces?user=bot&password=s3cret')).toBe('postgres://bot@db.example:5432/faces');
    expect(describeDatabaseUrl('postgres://[::1]:5433/faces')).toBe('postgres://[::1]:5433/faces');
    expect(describeDatabaseUrl('postgres://bot@/faces')).toBe('postgres://bot@localhost:5432/faces');
  });
});

describe.skipIf(POSTGRES_SKIP_REASON !== undefined)('PostgresFaceStore on a real server', () => {
  let server: PostgresServer;
  let db: { name: string; url: string };
  const opened: FaceStore[] = [];

  async function open(url = db.url, options?: PostgresStoreOptions): Promise<PostgresFaceStore> {
    const store = await openPostgresStore(url, options);
    opened.push(store);
    return store;
  }

  async function openError(url: string, options?: PostgresStoreOptions): Promise<StoreOpenError> {
    const err = await openPostgresStore(url, options).then(
      async (store) => {
        await store.close();
        throw new Error('it opened');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreOpenError);
    return err as StoreOpenError;
  }

  /** Neither the message nor anything reachable from the error (causes included) holds the password. */
  function expectNoSecret(err: unknown, secret: string): void {
    expect(inspect(err, { depth: 8, showHidden: true })).not.toContain(secret);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(secret);
  }

  const tables = async (name = db.name) =>
    (await server.sql<{ relname: string }>(name, "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1")).map((r) => r.relname);

  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(() => server?.destroy());
  beforeEach(async () => {
    db = await server.createDatabase();
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  describe('the FaceStore contract (tests/helpers/store-contract.ts)', () => {
    describeStoreContract({
      open: () => open(),
      refuseFaceDeletes: async () => {
        await server.sql(db.name, `
          CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
          CREATE TRIGGER refuse BEFORE DELETE ON faces FOR EACH ROW EXECUTE FUNCTION refuse();`);
        return async () => {
          await server.sql(db.name, 'DROP TRIGGER refuse ON faces; DROP FUNCTION refuse()');
        };
      },
      danglingReferences: () =>
        server.sql(db.name, `
          SELECT 'faces' AS "table", f.id AS row FROM faces f WHERE f.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM faces p WHERE p.id = f.parent_id)
          UNION ALL SELECT 'current_face', c.owner_id FROM current_face c WHERE NOT EXISTS (SELECT 1 FROM faces p WHERE p.id = c.face_id)
          UNION ALL SELECT 'messages', m.message_id FROM messages m WHERE NOT EXISTS (SELECT 1 FROM faces p WHERE p.id = m.face_id)`),
    });
  });

  describe('schema and migrations', () => {
    it('creates its tables and records each migration once; opening again applies nothing', async () => {
      await (await open()).close();
      await (await open()).close();
      expect(await tables()).toEqual(['current_face', 'faces', 'messages', 'tellaface_schema_version']);
      const versions = await server.sql<{ version: number }>(db.name, 'SELECT version FROM tellaface_schema_version ORDER BY version');
      expect(versions.map((v) => v.version)).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
    });

    it('opens a database that also holds tables added after tellaface made its own', async () => {
      await (await open()).close();
      await server.sql(db.name, 'CREATE TABLE notes (id int)');
      const store = await open();
      await store.saveFace(makeFace());
    });

    it("refuses some other application's database, naming it and its tables, and leaves it untouched", async () => {
      await server.sql(db.name, 'CREATE TABLE invoices (id int PRIMARY KEY, total numeric); INSERT INTO invoices VALUES (1, 9.5)');
      const err = await openError(db.url);
      expect(err.message).toContain(`postgres://${server.user}@127.0.0.1:${server.port}/${db.name}`);
      expect(err.message).toMatch(/some other application's tables \(invoices\).*left untouched.*empty database of its own/);
      expect(await tables()).toEqual(['invoices']);
      expect(await server.sql(db.name, 'SELECT * FROM invoices')).toEqual([{ id: 1, total: '9.5' }]);
    });

    it('refuses tables that only share our names (a faces table without our schema version)', async () => {
      await server.sql(db.name, 'CREATE TABLE faces (id serial PRIMARY KEY, image bytea)');
      const err = await openError(db.url);
      expect(err.message).toMatch(/other application's tables \(faces\), named like tellaface's but without its tellaface_schema_version table/);
      expect(await tables()).toEqual(['faces']);
    });

    it('refuses a schema from a newer tellaface', async () => {
      await (await open()).close();
      await server.sql(db.name, `INSERT INTO tellaface_schema_version (version) VALUES (${PG_SCHEMA_VERSION + 1})`);
      expect((await openError(db.url)).message).toMatch(new RegExp(`schema version ${PG_SCHEMA_VERSION + 1} is newer.*upgrade tellaface`));
    });

    it('refuses our tables changed out of shape, naming the table', async () => {
      await (await open()).close();
      await server.sql(db.name, 'ALTER TABLE faces DROP COLUMN origin');
      expect((await openError(db.url)).message).toMatch(/its table faces is not as this tellaface expects \(column "origin" does not exist\)/);
    });

    it('waits for another process that holds the migration lock, then opens', async () => {
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1::bigint)', [PG_MIGRATION_LOCK]);
        let settled = false;
        const opening = open(db.url, { migrationWaitMs: 20_000 }).finally(() => {
          settled = true;
        });
        await new Promise((r) => setTimeout(r, 700));
        expect(settled).toBe(false);
        expect(await tables()).toEqual([]); // nothing done while another holds the lock
        await holder.query('SELECT pg_advisory_unlock($1::bigint)', [PG_MIGRATION_LOCK]);
        await (await opening).saveFace(makeFace());
      } finally {
        await holder.end();
      }
    });

    it('gives up with a clear message when the migration lock stays taken', async () => {
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1::bigint)', [PG_MIGRATION_LOCK]);
        const err = await openError(db.url, { migrationWaitMs: 300 });
        expect(err.message).toMatch(/another process has been checking or migrating its schema.*try again/);
      } finally {
        await holder.end();
      }
    });

    it('processes that start together migrate once: all open, and every face each saves is there', async () => {
      // two separate processes and four stores in this one, all opening the same empty database at once
      const child = (i: number) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const script = `
            import { openPostgresStore } from ${JSON.stringify(STORE_MODULE)};
            const store = await openPostgresStore(${JSON.stringify(db.url)});
            await store.saveFace(${JSON.stringify(makeFace({ id: `child${i}` }))});
            await store.close();
            process.stdout.write('saved');`;
          const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          p.stdout.on('data', (d: Buffer) => (stdout += d));
          p.stderr.on('data', (d: Buffer) => (stderr += d));
          p.on('close', (code) => resolve({ code, stdout, stderr }));
        });
      const children = [child(1), child(2)];
      const here = await Promise.all([1, 2, 3, 4].map(() => open()));
      for (const [i, store] of here.entries()) await store.saveFace(makeFace({ id: `here${i}` }));
      for (const result of await Promise.all(children)) expect(result, result.stderr).toMatchObject({ code: 0, stdout: 'saved' });
      const versions = await server.sql<{ version: number }>(db.name, 'SELECT version FROM tellaface_schema_version ORDER BY version');
      expect(versions.map((v) => v.version)).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
      const ids = (await server.sql<{ id: string }>(db.name, 'SELECT id FROM faces ORDER BY id')).map((r) => r.id);
      expect(ids).toEqual(['child1', 'child2', 'here0', 'here1', 'here2', 'here3']);
    }, 60_000);
  });

  describe('a server it cannot use: one clear message naming the server, never the password', () => {
    it('nothing listening on the port', async () => {
      const port = await closedPort();
      const url = `postgres://bot:${server.password}@127.0.0.1:${port}/faces`;
      const started = Date.now();
      const err = await openError(url);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(err.message).toBe(
        `cannot open the face database postgres://bot@127.0.0.1:${port}/faces: nothing answers there (connection refused): ` +
          'is PostgreSQL running, and are the host and port in DATABASE_URL right?',
      );
      expectNoSecret(err, server.password);
      const inQuery = await openError(`postgres://127.0.0.1:${port}/faces?user=bot&password=${server.password}`);
      expect(inQuery.message).toContain(`postgres://bot@127.0.0.1:${port}/faces:`);
      expectNoSecret(inQuery, server.password);
    });

    it('a wrong password', async () => {
      const wrong = 'not-the-Pa55word';
      const err = await openError(server.url(db.name, { user: server.user, password: wrong }));
      expect(err.message).toContain(`postgres://${server.user}@127.0.0.1:${server.port}/${db.name}`);
      expect(err.message).toMatch(/refused the login \(password authentication failed for user "tellaface_test"\); check the user and password/);
      expectNoSecret(err, wrong);
      expectNoSecret(err, server.password);
    });

    it('a database that does not exist', async () => {
      const err = await openError(server.url('no_such_db'));
      expect(err.message).toMatch(/no_such_db: database "no_such_db" does not exist; create it \(createdb\)/);
      expectNoSecret(err, server.password);
    });

    it('a user that may not create tables in the schema (PostgreSQL 15: public is the owner\'s)', async () => {
      const role = `lowly_${db.name}`;
      await server.sql('postgres', `CREATE ROLE ${role} LOGIN PASSWORD 'lowly-pw-123'`);
      const err = await openError(server.url(db.name, { user: role, password: 'lowly-pw-123' }));
      expect(err.message).toMatch(/may not create or use tellaface's tables \(permission denied for schema public\)/);
      expect(await tables()).toEqual([]);
      expectNoSecret(err, 'lowly-pw-123');
    });

    it('a user that may read but not write our tables', async () => {
      await (await open()).close();
      const role = `reader_${db.name}`;
      await server.sql('postgres', `CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw-123'`);
      await server.sql(db.name, `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
      const err = await openError(server.url(db.name, { user: role, password: 'reader-pw-123' }));
      expect(err.message).toMatch(/this user may not write to its tables \(faces, current_face, messages\)/);
    });

    it('npm start stops with that one line, before loading the models', () => {
      const run = spawnSync(TSX, ['src/main.ts'], {
        input: 'smiling\n',
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, DISCORD_TOKEN: '', MODELS_DIR: '/nonexistent', DATABASE_URL: server.url('no_such_db') },
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`tellaface: cannot open the face database postgres://${server.user}@127.0.0.1:${server.port}/no_such_db`);
      expect(run.stderr + run.stdout).not.toContain(server.password);
    });
  });

  describe('across processes and crashes', () => {
    it('a face saved by a process that is killed right after is there for another process', async () => {
      const face = makeFace({ jitter: [{ seed: 9, scale: 0.3 }] });
      const script = `
        import { openPostgresStore } from ${JSON.stringify(STORE_MODULE)};
        const store = await openPostgresStore(${JSON.stringify(db.url)});
        const face = ${JSON.stringify(face)};
        await store.saveFace(face);
        await store.setCurrentFaceId(face.ownerId, face.id);
        await store.linkMessage('m1', face.id);
        process.kill(process.pid, 'SIGKILL');`;
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(child.stderr).toBe('');
      expect(child.signal).toBe('SIGKILL');
      const store = await open();
      expect(await store.getFace(face.id)).toEqual(face);
      expect(await store.getCurrentFaceId(face.ownerId)).toBe(face.id);
      expect(await store.getFaceIdByMessage('m1')).toBe(face.id);
    });

    it('a face made by one `npm start` is refined by the next (same seed, parent, current face)', async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-pg-chat-'));
      try {
        const chat = (input: string, ...flags: string[]) =>
          spawnSync(TSX, ['src/main.ts', '--out-dir', out, ...flags], {
            input,
            encoding: 'utf8',
            timeout: 120_000,
            env: {
              ...process.env, DISCORD_TOKEN: '', DATABASE_URL: db.url, DATABASE_PATH: path.join(out, 'unused.db'),
              MODELS_DIR: FIXTURE_MODELS, EXECUTION_PROVIDER: 'cpu', RENDER_SIZE: '64', LOG_LEVEL: 'warn',
            },
          });
        const faceIn = (run: ReturnType<typeof chat>) => {
          expect(run.status, run.stderr).toBe(0);
          const saved = run.stdout.split('\n').filter((l) => l.endsWith('.png'));
          expect(saved).toHaveLength(1);
          return path.basename(saved[0]!, '.png');
        };
        const first = faceIn(chat('a smiling young woman\n'));
        const second = faceIn(chat('older, with glasses\n', '--continue')); // piped input continues only when asked
        expect(fs.existsSync(path.join(out, 'unused.db'))).toBe(false);
        const store = await open();
        const [a, b] = [await store.getFace(first), await store.getFace(second)];
        expect(b?.parentId).toBe(a?.id);
        expect(b?.seed).toBe(a?.seed);
        expect(b?.edits.map((e) => e.text)).toEqual(['a smiling young woman', 'older, with glasses']);
        expect(await store.getCurrentFaceId('console')).toBe(second);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    }, 120_000);

    it('a server crash: requests fail as "try again" (naming the server, no password) and work again after its restart, committed faces kept', async () => {
      const store = await open(db.url, { connectTimeoutMs: 2000 });
      // a checkpoint first, so that the restart replays only what follows (not every test database's creation)
      await server.sql('postgres', 'CHECKPOINT');
      const kept = makeFace();
      await store.saveFace(kept); // committed: in the write-ahead log only, not yet in the tables' files
      server.stop('immediate'); // SIGQUIT: no checkpoint, as after a crash
      try {
        const err = await store.saveFace(makeFace()).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(StoreUnavailableError);
        expect(err).toBeInstanceOf(StoreBusyError); // the bot, chat and studio answer it as "busy: nothing was saved, try again"
        expect((err as Error).message).toMatch(new RegExp(`^the face database postgres://${server.user}@127\\.0\\.0\\.1:${server.port}/${db.name} cannot be reached \\(.*\\): nothing was saved, try again$`));
        expectNoSecret(err, server.password);
        await expect(store.getFace(kept.id)).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(store.forgetUser('user1')).rejects.toBeInstanceOf(StoreUnavailableError);
      } finally {
        server.start();
      }
      expect(await store.getFace(kept.id)).toEqual(kept);
      const after = makeFace();
      await store.saveFace(after);
      expect(await store.getFace(after.id)).toEqual(after);
    }, 60_000);
  });

  describe('concurrency', () => {
    it('a lock held past the busy timeout fails the request as busy, saving nothing', async () => {
      const store = await open(db.url, { busyTimeoutMs: 200 });
      const face = makeFace({ ownerId: 'alice' });
      await store.saveFace(face);
      await store.setCurrentFaceId('alice', face.id);
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      try {
        await holder.query("BEGIN; SELECT * FROM current_face WHERE owner_id = 'alice' FOR UPDATE");
        const err = await store.setCurrentFaceId('alice', null).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(StoreBusyError);
        expect((err as Error).message).toMatch(/is busy \(a lock was held longer than the busy timeout\): nothing was saved, try again/);
        await holder.query('ROLLBACK');
      } finally {
        await holder.end();
      }
      expect(await store.getCurrentFaceId('alice')).toBe(face.id);
    });

    it("forgetUser waits for a copy of the user's face that another process is saving, and deletes it too", async () => {
      const store = await open();
      const alices = makeFace({ ownerId: 'alice' });
      await store.saveFace(alices);
      const copy = makeFace({ ownerId: 'bob', parentId: alices.id, edits: [...alices.edits, makeEdit('older', { Young: -1 })] });
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query(
          "INSERT INTO faces (id, owner_id, seed, edits, parent_id, created_at, model, truncation) VALUES ($1, 'bob', $2, $3::json, $4, $5, $6, 1)",
          [copy.id, copy.seed, JSON.stringify(copy.edits), copy.parentId, copy.createdAt, copy.model],
        );
        const forgetting = store.forgetUser('alice');
        await new Promise((r) => setTimeout(r, 300));
        await other.query('COMMIT');
        expect(await forgetting).toEqual({ faces: 1, currentFace: false, messageLinks: 0, othersFaces: 1, otherOwners: 1, otherCurrentFaces: 0 });
      } finally {
        await other.end();
      }
      expect(await store.getFace(copy.id)).toBeUndefined();
      expect(await store.getFace(alices.id)).toBeUndefined();
    });
  });
});
