import pg from 'pg';
import type { Edit, FaceRecord } from '../face/record.js';
import { log } from '../log.js';
import { DiskFullError, StoreBusyError, StoreOpenError } from './errors.js';
import { derivedFacesAsync, type FaceOwner } from './derived-faces.js';
import {
  PG_MIGRATION_LOCK,
  PG_MIGRATIONS,
  PG_OWN_TABLES,
  PG_SCHEMA_VERSION,
  PG_VERSION_TABLE,
} from './postgres-migrations.js';
import { EditsSchema, JitterSchema, OriginSchema } from './record-schema.js';
import type { FaceStore, ForgetCounts } from './types.js';

export { StoreBusyError, StoreOpenError } from './errors.js';

export interface PostgresStoreOptions {
  /** How long a statement waits for another transaction's lock before giving up (ms; lock_timeout). */
  busyTimeoutMs?: number;
  /** How long to wait for the server to accept a connection (ms). */
  connectTimeoutMs?: number;
  /** How long one statement may run (ms; statement_timeout). */
  statementTimeoutMs?: number;
  /** How long to wait at open for another process that is checking or migrating the schema (ms). */
  migrationWaitMs?: number;
  /** Connections in the pool. */
  maxConnections?: number;
}

/**
 * A request could not be answered because the database server is unreachable, restarting, or busy past
 * the timeouts: nothing was saved (a face is only shown once it is stored). It is a StoreBusyError, so the
 * bot, chat and studio answer it as they answer a busy SQLite file: try again. The message names the
 * server, never its password.
 */
export class StoreUnavailableError extends StoreBusyError {
  override name = 'StoreUnavailableError';
  constructor(
    where: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(where, options);
    this.message = `the face database ${where} ${reason}: nothing was saved, try again`;
  }
}

interface FaceRow {
  id: string;
  owner_id: string;
  /** bigint: pg reads it as a string. */
  seed: string;
  edits: unknown;
  parent_id: string | null;
  /** bigint: pg reads it as a string. */
  created_at: string;
  model: string | null;
  truncation: number;
  jitter: unknown;
  origin: unknown;
}

const FACE_COLUMNS = 'id, owner_id, seed, edits, parent_id, created_at, model, truncation, jitter, origin';
const TABLE_COLUMNS: Record<string, string> = {
  faces: FACE_COLUMNS,
  current_face: 'owner_id, face_id',
  messages: 'message_id, face_id',
};

/**
 * Faces in a PostgreSQL database, shared by any number of tellaface processes. Every write is committed
 * (synchronous_commit as the server sets it, on by default: on disk before the answer) before its promise
 * resolves.
 */
export class PostgresFaceStore implements FaceStore {
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    /** The database as messages name it: postgres://user@host:port/database, no password. */
    readonly where: string,
    private readonly redact: (text: string) => string,
  ) {}

  async saveFace(face: FaceRecord): Promise<void> {
    await this.query({
      name: 'tellaface-save-face',
      text: `INSERT INTO faces (${FACE_COLUMNS})
             VALUES ($1, $2, $3, $4::json, $5, $6, $7, $8, $9::json, $10::json)`,
      values: [
        face.id,
        face.ownerId,
        face.seed,
        JSON.stringify(face.edits),
        face.parentId,
        face.createdAt,
        face.model,
        face.truncation,
        face.jitter?.length ? JSON.stringify(face.jitter) : null,
        face.origin ? JSON.stringify(face.origin) : null,
      ],
    });
  }

  async getFace(id: string): Promise<FaceRecord | undefined> {
    const { rows } = await this.query<FaceRow>({
      name: 'tellaface-get-face',
      text: `SELECT ${FACE_COLUMNS} FROM faces WHERE id = $1`,
      values: [id],
    });
    return rows[0] ? this.toRecord(rows[0]) : undefined;
  }

  async getCurrentFaceId(ownerId: string): Promise<string | undefined> {
    const { rows } = await this.query<{ face_id: string }>({
      name: 'tellaface-get-current',
      text: 'SELECT face_id FROM current_face WHERE owner_id = $1',
      values: [ownerId],
    });
    return rows[0]?.face_id;
  }

  async setCurrentFaceId(ownerId: string, faceId: string | null): Promise<void> {
    if (faceId === null) {
      await this.query({ name: 'tellaface-clear-current', text: 'DELETE FROM current_face WHERE owner_id = $1', values: [ownerId] });
    } else {
      await this.query({
        name: 'tellaface-set-current',
        text: `INSERT INTO current_face (owner_id, face_id) VALUES ($1, $2)
               ON CONFLICT (owner_id) DO UPDATE SET face_id = excluded.face_id`,
        values: [ownerId, faceId],
      });
    }
  }

  async linkMessage(messageId: string, faceId: string): Promise<void> {
    await this.query({
      name: 'tellaface-link-message',
      text: `INSERT INTO messages (message_id, face_id) VALUES ($1, $2)
             ON CONFLICT (message_id) DO UPDATE SET face_id = excluded.face_id`,
      values: [messageId, faceId],
    });
  }

  async getFaceIdByMessage(messageId: string): Promise<string | undefined> {
    const { rows } = await this.query<{ face_id: string }>({
      name: 'tellaface-get-message',
      text: 'SELECT face_id FROM messages WHERE message_id = $1',
      values: [messageId],
    });
    return rows[0]?.face_id;
  }

  /**
   * One transaction, in the SQLite store's order: the user's faces and every face made from them (copies,
   * mixes, analogies, transitively), then pointers and links to any of them, then the faces. The faces are
   * locked as they are found (FOR UPDATE), so a copy, pointer or link to one of them that another process is
   * writing at that moment either commits first (and is deleted here) or waits and then fails on its foreign
   * key: never a forget that fails because of it, and never a dangling reference.
   */
  async forgetUser(ownerId: string): Promise<ForgetCounts> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const own = (await client.query<{ id: string }>('SELECT id FROM faces WHERE owner_id = $1 FOR UPDATE', [ownerId])).rows.map((r) => r.id);
      // every face made from them, by anyone (copies by parent, mixes and analogies by origin), locked as found
      const others = await derivedFacesAsync(own, async (id) => (await client.query<FaceOwner>(
        `SELECT id, owner_id AS owner FROM faces
         WHERE parent_id = $1 OR (origin IS NOT NULL AND strpos(origin::text, $1) > 0) FOR UPDATE`,
        [id],
      )).rows);
      const ids = [...own, ...others.keys()];
      const counts: ForgetCounts = {
        faces: own.length,
        currentFace: ((await client.query('DELETE FROM current_face WHERE owner_id = $1', [ownerId])).rowCount ?? 0) > 0,
        otherCurrentFaces: (await client.query('DELETE FROM current_face WHERE face_id = ANY($1::text[])', [ids])).rowCount ?? 0,
        messageLinks: (await client.query('DELETE FROM messages WHERE face_id = ANY($1::text[])', [ids])).rowCount ?? 0,
        othersFaces: others.size,
        otherOwners: new Set(others.values()).size,
      };
      await client.query('DELETE FROM faces WHERE id = ANY($1::text[])', [ids]);
      await client.query('COMMIT');
      return counts;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr as Error; // the connection is gone; the server rolls back on its own
      }
      throw this.translate(err);
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(config);
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** An unreachable server or a lock held too long becomes a StoreUnavailableError that says so; the rest is thrown as it is. */
  private translate(err: unknown): unknown {
    // 53100 disk_full: the server's disk has no room
    if ((err as { code?: unknown }).code === '53100') return new DiskFullError(`the face database ${this.where}`, { cause: err });
    const reason = unavailableReason(err);
    return reason === undefined ? err : new StoreUnavailableError(this.where, this.redact(reason), { cause: err });
  }

  private toRecord(row: FaceRow): FaceRecord {
    const edits = EditsSchema.safeParse(row.edits);
    if (!edits.success) throw new Error(`face ${row.id} in ${this.where} has unreadable edits`);
    const jitter = row.jitter === null ? undefined : JitterSchema.safeParse(row.jitter);
    if (jitter && !jitter.success) throw new Error(`face ${row.id} in ${this.where} has an unreadable jitter`);
    const origin = row.origin === null ? undefined : OriginSchema.safeParse(row.origin);
    if (origin && !origin.success) throw new Error(`face ${row.id} in ${this.where} has an unreadable origin`);
    return {
      id: row.id,
      ownerId: row.owner_id,
      seed: Number(row.seed),
      edits: edits.data as Edit[],
      parentId: row.parent_id,
      createdAt: Number(row.created_at),
      model: row.model,
      truncation: row.truncation,
      ...(jitter?.success && jitter.data.length ? { jitter: jitter.data } : {}),
      ...(origin?.success ? { origin: origin.data as FaceRecord['origin'] } : {}),
    };
  }
}

/**
 * Opens the face database at `url` (postgres://user:password@host:port/database) and brings its schema up
 * to date, holding an advisory lock so that processes starting together migrate one after the other.
 * Throws StoreOpenError naming the server and database (never the password) when it cannot be reached,
 * refuses the login, is a read-only standby, holds some other application's tables, is from a newer
 * version, or lets this user neither create nor write tellaface's tables; such a database is left as it was.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresFaceStore> {
  const where = describeDatabaseUrl(url);
  const redact = redactor(url);
  const config: pg.ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    keepAlive: true,
    application_name: 'tellaface',
    lock_timeout: options.busyTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    idle_in_transaction_session_timeout: 60_000,
  };

  let client: pg.Client | undefined;
  try {
    // waiting for another process's migration may take migrationWaitMs: the statement limit must not cut it short
    client = new pg.Client({ ...config, lock_timeout: options.migrationWaitMs ?? 60_000, statement_timeout: 0 });
    client.on('error', () => {}); // a lost connection also fails the query in flight, which says so
    await client.connect();
    await checkServer(client, where);
    await lockMigrations(client, where, options.migrationWaitMs ?? 60_000);
    try {
      const version = await checkSchemaIsOurs(client, where);
      await migrate(client, version);
      await checkTables(client, where);
    } finally {
      // ending the session below releases it too
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [PG_MIGRATION_LOCK]).catch(() => {});
    }
    await client.end();
  } catch (err) {
    await client?.end().catch(() => {});
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(where, redact(openReason(err)), { cause: err });
  }

  const pool = new pg.Pool({ ...config, max: options.maxConnections ?? 10 });
  // an idle connection the server dropped (restart, failover): the pool makes a new one for the next request
  pool.on('error', (err) => {
    log.warn({ database: where, code: (err as { code?: unknown }).code, reason: redact(err.message) }, 'lost an idle connection to the face database');
  });
  return new PostgresFaceStore(pool, where, redact);
}

/**
 * Parses a postgres:// URL as the pg client does, an empty host included (postgres://user@/db?host=/run/postgresql);
 * `host` is the URL's host name, '' when it has none.
 */
function parsePostgresUrl(url: string): { parsed: URL; host: string } | undefined {
  try {
    const parsed = new URL(url);
    return { parsed, host: parsed.hostname };
  } catch {
    try {
      return { parsed: new URL(url.replace('@/', '@placeholder/')), host: '' };
    } catch {
      return undefined;
    }
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The database as messages name it: postgres://user@host:port/database, without the password or query. */
export function describeDatabaseUrl(url: string): string {
  const { parsed, host: name } = parsePostgresUrl(url) ?? {};
  if (!parsed) return 'the PostgreSQL database in DATABASE_URL';
  const user = parsed.searchParams.get('user') ?? decodeURIComponentSafe(parsed.username);
  const host = parsed.searchParams.get('host') ?? (decodeURIComponentSafe(name ?? '') || 'localhost');
  const port = parsed.searchParams.get('port') ?? (parsed.port || '5432');
  const database = decodeURIComponentSafe(parsed.pathname.replace(/^\//, '')) || user;
  return `postgres://${user ? `${user}@` : ''}${host}:${port}/${database}`;
}

/** Removes the URL's password (as written, and decoded; or given as ?password=) from text bound for a message or a log. */
function redactor(url: string): (text: string) => string {
  const parsed = parsePostgresUrl(url)?.parsed;
  const found = parsed
    ? [parsed.password, decodeURIComponentSafe(parsed.password), parsed.searchParams.get('password') ?? '']
    : [/^[a-z]+:\/\/[^:/@]*:([^@/]*)@/i.exec(url)?.[1] ?? ''];
  const secrets = [...new Set(found)].filter((secret) => secret.length > 0);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

async function checkServer(client: pg.Client, where: string): Promise<void> {
  const { rows } = await client.query<{ standby: boolean; read_only: string; schema: string | null; search_path: string }>(
    `SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') AS read_only,
            current_schema() AS schema, current_setting('search_path') AS search_path`,
  );
  const server = rows[0]!;
  if (server.standby) throw new StoreOpenError(where, 'it is a read-only standby server; point DATABASE_URL at the primary');
  if (server.read_only === 'on') {
    throw new StoreOpenError(where, 'the connection is read-only (default_transaction_read_only is on for this user or database)');
  }
  if (server.schema === null) {
    throw new StoreOpenError(where, `no schema on the search_path (${server.search_path}) exists to keep tellaface's tables in; create it or set search_path`);
  }
}

async function lockMigrations(client: pg.Client, where: string, waitMs: number): Promise<void> {
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [PG_MIGRATION_LOCK]);
  } catch (err) {
    if (sqlState(err) === '55P03') {
      throw new StoreOpenError(
        where,
        `another process has been checking or migrating its schema for more than ${Math.round(waitMs / 1000)} s (is another tellaface stuck starting?); try again`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** Reads the schema before anything is written: returns how many of PG_MIGRATIONS it has. */
async function checkSchemaIsOurs(client: pg.Client, where: string): Promise<number> {
  const { rows } = await client.query<{ name: string; schema: string }>(
    `SELECT c.relname AS name, n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname`,
  );
  const tables = rows.map((r) => r.name);
  if (!tables.includes(PG_VERSION_TABLE)) {
    if (tables.length > 0) {
      const shown = tables.length > 8 ? [...tables.slice(0, 8), '…'] : tables;
      const ours = tables.some((t) => PG_OWN_TABLES.has(t)) ? `, named like tellaface's but without its ${PG_VERSION_TABLE} table` : '';
      throw new StoreOpenError(
        where,
        `its schema "${rows[0]!.schema}" holds some other application's tables (${shown.join(', ')})${ours}; it was left untouched — ` +
          'point DATABASE_URL at an empty database of its own',
      );
    }
    return 0;
  }
  const version = (await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${PG_VERSION_TABLE}`)).rows[0]?.version ?? 0;
  if (version > PG_SCHEMA_VERSION) {
    throw new StoreOpenError(where, `its schema version ${version} is newer than this tellaface understands (${PG_SCHEMA_VERSION}); upgrade tellaface`);
  }
  return version;
}

/** Brings the schema up to PG_SCHEMA_VERSION, one transaction per migration (the caller holds the lock). */
async function migrate(client: pg.Client, from: number): Promise<void> {
  for (let version = from; version < PG_SCHEMA_VERSION; version++) {
    await client.query('BEGIN');
    try {
      await client.query(PG_MIGRATIONS[version] as string);
      await client.query(`INSERT INTO ${PG_VERSION_TABLE} (version) VALUES ($1)`, [version + 1]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  }
}

/** Every table has the columns this version reads and writes, and this user may read and write them. */
async function checkTables(client: pg.Client, where: string): Promise<void> {
  for (const [table, columns] of Object.entries(TABLE_COLUMNS)) {
    try {
      await client.query(`SELECT ${columns} FROM ${table} LIMIT 0`);
    } catch (err) {
      if (sqlState(err) === '42501') throw err; // no privilege: said below, as at migration
      throw new StoreOpenError(
        where,
        `its table ${table} is not as this tellaface expects (${(err as Error).message}); it was left untouched`,
        { cause: err },
      );
    }
  }
  const { rows } = await client.query<{ name: string }>(
    // has_table_privilege with a list is true when any one is held: each is asked on its own
    `SELECT t AS name FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n)
     WHERE NOT (has_table_privilege(t, 'SELECT') AND has_table_privilege(t, 'INSERT')
                AND has_table_privilege(t, 'UPDATE') AND has_table_privilege(t, 'DELETE'))
     ORDER BY n`,
    [Object.keys(TABLE_COLUMNS)],
  );
  if (rows.length > 0) {
    throw new StoreOpenError(
      where,
      `this user may not write to its tables (${rows.map((r) => r.name).join(', ')}); GRANT SELECT, INSERT, UPDATE, DELETE on them, or connect as their owner`,
    );
  }
}

function sqlState(err: unknown): string {
  return String((err as { code?: unknown } | undefined)?.code ?? '');
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

function isTimeout(err: unknown): boolean {
  return /timeout/i.test(err instanceof Error ? err.message : String(err));
}

/** Why a request failed when it failed for the server's sake (worth a retry); undefined for anything else. */
function unavailableReason(err: unknown): string | undefined {
  const code = sqlState(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === '55P03') return 'is busy (a lock was held longer than the busy timeout)';
  if (code === '40001' || code === '40P01') return `is busy (${message})`;
  if (code === '57014') return 'took too long to answer (statement timeout)';
  if (code === '25006') return 'is read-only now (a failover to a standby?)';
  if (NETWORK_CODES.has(code)) return `cannot be reached (${code})`;
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') {
    return `cannot be reached (${message})`;
  }
  if (/^Connection terminated|not queryable|Connection ended/i.test(message)) return `cannot be reached (${message})`;
  if (!code && isTimeout(err)) return `did not answer in time (${message})`;
  return undefined;
}

/** What went wrong at open, with what to do about it; the caller prefixes the database's name. */
function openReason(err: unknown): string {
  const code = sqlState(err);
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'nothing answers there (connection refused): is PostgreSQL running, and are the host and port in DATABASE_URL right?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `its host name does not resolve (${code}); check the host in DATABASE_URL`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return `the server cannot be reached (${code}); check the host in DATABASE_URL and the network`;
    case '28P01':
    case '28000':
      return `the server refused the login (${message}); check the user and password in DATABASE_URL`;
    case '3D000':
      return `${message}; create it (createdb) or fix the database name in DATABASE_URL`;
    case '42501':
      return `this user may not create or use tellaface's tables (${message}); give tellaface a database it owns, or GRANT it CREATE on the schema`;
    case '57P03':
      return `the server is not accepting connections yet (${message}); try again`;
    case '53300':
      return `the server has no connection left (${message})`;
    default:
      if (!code && isTimeout(err)) return `the server did not answer in time (${message}); check the host and port in DATABASE_URL`;
      return message;
  }
}
