import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Edit, FaceRecord } from '../face/record.js';
import type { FaceStore, ForgetCounts } from './types.js';
import { DiskFullError, diskNearlyFull, StoreBusyError, StoreOpenError } from './errors.js';
import { derivedFaces, type FaceOwner } from './derived-faces.js';
import { migrate, OWN_TABLES, SCHEMA_VERSION, schemaVersion } from './migrations.js';
import { EditsSchema, JitterSchema, OriginSchema } from './record-schema.js';

export { StoreBusyError, StoreOpenError } from './errors.js';

export interface SqliteStoreOptions {
  /** How long to wait for another process's lock before giving up (ms). */
  busyTimeoutMs?: number;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

interface FaceRow {
  id: string;
  owner_id: string;
  seed: number;
  edits: string;
  parent_id: string | null;
  created_at: number;
  model: string | null;
  truncation: number;
  /** JSON of FaceRecord.jitter; null when the face has none (and on faces stored before migration 3). */
  jitter: string | null;
  /** JSON of FaceRecord.origin; null for faces drawn from a seed (and on faces stored before migration 4). */
  origin: string | null;
}

/** Faces in one SQLite file (WAL, synchronous=NORMAL): every write is committed before its promise resolves. */
export class SqliteFaceStore implements FaceStore {
  private readonly insertFace: Database.Statement<[FaceRow]>;
  private readonly selectFace: Database.Statement<[string], FaceRow>;
  private readonly selectCurrent: Database.Statement<[string], { face_id: string }>;
  private readonly upsertCurrent: Database.Statement<[string, string]>;
  private readonly deleteCurrent: Database.Statement<[string]>;
  private readonly upsertMessage: Database.Statement<[string, string]>;
  private readonly selectMessage: Database.Statement<[string], { face_id: string }>;
  private readonly forgetTransaction: Database.Transaction<(ownerId: string) => ForgetCounts>;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    this.insertFace = db.prepare(
      `INSERT INTO faces (id, owner_id, seed, edits, parent_id, created_at, model, truncation, jitter, origin)
       VALUES (@id, @owner_id, @seed, @edits, @parent_id, @created_at, @model, @truncation, @jitter, @origin)`,
    );
    this.selectFace = db.prepare('SELECT * FROM faces WHERE id = ?');
    this.selectCurrent = db.prepare('SELECT face_id FROM current_face WHERE owner_id = ?');
    this.upsertCurrent = db.prepare(
      `INSERT INTO current_face (owner_id, face_id) VALUES (?, ?)
       ON CONFLICT (owner_id) DO UPDATE SET face_id = excluded.face_id`,
    );
    this.deleteCurrent = db.prepare('DELETE FROM current_face WHERE owner_id = ?');
    this.upsertMessage = db.prepare(
      `INSERT INTO messages (message_id, face_id) VALUES (?, ?)
       ON CONFLICT (message_id) DO UPDATE SET face_id = excluded.face_id`,
    );
    this.selectMessage = db.prepare('SELECT face_id FROM messages WHERE message_id = ?');
    this.forgetTransaction = forgetUserTransaction(db);
  }

  async saveFace(face: FaceRecord): Promise<void> {
    this.guard(() => this.insertFace.run({
      id: face.id,
      owner_id: face.ownerId,
      seed: face.seed,
      edits: JSON.stringify(face.edits),
      parent_id: face.parentId,
      created_at: face.createdAt,
      model: face.model,
      truncation: face.truncation,
      jitter: face.jitter?.length ? JSON.stringify(face.jitter) : null,
      origin: face.origin ? JSON.stringify(face.origin) : null,
    }));
  }

  async getFace(id: string): Promise<FaceRecord | undefined> {
    const row = this.guard(() => this.selectFace.get(id));
    return row ? this.toRecord(row) : undefined;
  }

  async getCurrentFaceId(ownerId: string): Promise<string | undefined> {
    return this.guard(() => this.selectCurrent.get(ownerId))?.face_id;
  }

  async setCurrentFaceId(ownerId: string, faceId: string | null): Promise<void> {
    this.guard(() => (faceId === null ? this.deleteCurrent.run(ownerId) : this.upsertCurrent.run(ownerId, faceId)));
  }

  async linkMessage(messageId: string, faceId: string): Promise<void> {
    this.guard(() => this.upsertMessage.run(messageId, faceId));
  }

  async getFaceIdByMessage(messageId: string): Promise<string | undefined> {
    return this.guard(() => this.selectMessage.get(messageId))?.face_id;
  }

  async forgetUser(ownerId: string): Promise<ForgetCounts> {
    return this.guard(() => this.forgetTransaction.immediate(ownerId));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Runs one statement; another process's lock (after the busy timeout) becomes a StoreBusyError that says so. */
  private guard<T>(statement: () => T): T {
    try {
      return statement();
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? '');
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) throw new StoreBusyError(this.path, { cause: err });
      // "database or disk is full", or "disk I/O error" on a disk with no space left
      if (code.startsWith('SQLITE_FULL') || (code.startsWith('SQLITE_IOERR') && diskNearlyFull(path.dirname(this.path)))) {
        throw new DiskFullError(this.path, { cause: err });
      }
      throw err;
    }
  }

  private toRecord(row: FaceRow): FaceRecord {
    const edits = EditsSchema.safeParse(JSON.parse(row.edits));
    if (!edits.success) throw new Error(`face ${row.id} in ${this.path} has unreadable edits`);
    const jitter = row.jitter === null ? undefined : JitterSchema.safeParse(JSON.parse(row.jitter));
    if (jitter && !jitter.success) throw new Error(`face ${row.id} in ${this.path} has an unreadable jitter`);
    const origin = row.origin === null ? undefined : OriginSchema.safeParse(JSON.parse(row.origin));
    if (origin && !origin.success) throw new Error(`face ${row.id} in ${this.path} has an unreadable origin`);
    return {
      id: row.id,
      ownerId: row.owner_id,
      seed: row.seed,
      edits: edits.data as Edit[],
      parentId: row.parent_id,
      createdAt: row.created_at,
      model: row.model,
      truncation: row.truncation,
      ...(jitter?.success && jitter.data.length ? { jitter: jitter.data } : {}),
      ...(origin?.success ? { origin: origin.data } : {}),
    };
  }
}

/**
 * forgetUser as one transaction: the user's faces and every face made from them (by parent, or by a mix's or
 * analogy's origin, transitively: derivedFaces); then the pointers and links to any of them, then the faces
 * (children are in the set with their parents, so no foreign key is ever left dangling).
 */
function forgetUserTransaction(db: Database.Database): Database.Transaction<(ownerId: string) => ForgetCounts> {
  const ownIds = db.prepare<[string], string>('SELECT id FROM faces WHERE owner_id = ?').pluck();
  const children = db.prepare<[string], FaceOwner>('SELECT id, owner_id AS owner FROM faces WHERE parent_id = ?');
  const madeFrom = db.prepare<[string], FaceOwner>('SELECT id, owner_id AS owner FROM faces WHERE origin IS NOT NULL AND instr(origin, ?) > 0');
  const inSet = 'IN (SELECT value FROM json_each(@ids))';
  const deleteOwnCurrent = db.prepare('DELETE FROM current_face WHERE owner_id = @owner');
  const deleteOtherCurrent = db.prepare(`DELETE FROM current_face WHERE face_id ${inSet}`);
  const deleteLinks = db.prepare(`DELETE FROM messages WHERE face_id ${inSet}`);
  const deleteFaces = db.prepare(`DELETE FROM faces WHERE id ${inSet}`);
  return db.transaction((owner: string): ForgetCounts => {
    const own = ownIds.all(owner);
    const others = derivedFaces(own, (id) => [...children.all(id), ...madeFrom.all(id)]);
    const args = { owner, ids: JSON.stringify([...own, ...others.keys()]) };
    const counts = {
      currentFace: deleteOwnCurrent.run(args).changes > 0,
      otherCurrentFaces: deleteOtherCurrent.run(args).changes,
      messageLinks: deleteLinks.run(args).changes,
    };
    deleteFaces.run(args);
    return { faces: own.length, ...counts, othersFaces: others.size, otherOwners: new Set(others.values()).size };
  });
}

/**
 * Opens (creating if needed) the face database at `file` and brings its schema up to date.
 * Throws StoreOpenError naming the file if it is corrupt, not SQLite, someone else's database, from a newer
 * version, locked or unwritable; such a file is never modified or recreated.
 */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteFaceStore {
  const inMemory = file === ':memory:';
  const where = inMemory ? file : path.resolve(file);
  if (!inMemory) checkFileBeforeOpening(where);

  let db: Database.Database;
  try {
    db = new Database(where, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw new StoreOpenError(where, reasonFor(err), { cause: err });
  }
  try {
    checkSchemaIsOurs(db, where);
    checkIntact(db, where);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    checkWritable(db);
    return new SqliteFaceStore(db, where);
  } catch (err) {
    db.close();
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(where, reasonFor(err), { cause: err });
  }
}

function checkFileBeforeOpening(file: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw new StoreOpenError(file, `cannot create its folder (${(err as Error).message})`, { cause: err });
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return; // does not exist yet: SQLite creates it
  }
  if (!stat.isFile()) throw new StoreOpenError(file, 'it is not a regular file');
  if (stat.size === 0) return;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!header.equals(SQLITE_HEADER)) {
    throw new StoreOpenError(file, 'it is not a SQLite database (corrupt or some other file); it was left untouched — move it away or set DATABASE_PATH to another file');
  }
}

/**
 * SQLite's quick_check (every page's structure, without the slower index cross-check): a file damaged past
 * its header would otherwise open, and then fail every request.
 */
function checkIntact(db: Database.Database, file: string): void {
  const problems = (db.pragma('quick_check(3)') as Array<{ quick_check: string }>)
    .map((r) => r.quick_check)
    .filter((r) => r !== 'ok');
  if (problems.length > 0) {
    throw new StoreOpenError(
      file,
      `the file is damaged (SQLite's quick_check: ${problems.join('; ')}); it was left untouched — restore a backup, ` +
        `or move it away and start with an empty database (sqlite3's ".recover" command can save what is still readable)`,
    );
  }
}

/** Takes and gives back the write lock, so a database another process holds locked fails here, not on the first face. */
function checkWritable(db: Database.Database): void {
  db.exec('BEGIN IMMEDIATE');
  db.exec('ROLLBACK');
}

/** Reads the schema (which also proves the file is readable) before anything is written. */
function checkSchemaIsOurs(db: Database.Database, file: string): void {
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all()
    .map((t) => t.name);
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) {
    throw new StoreOpenError(file, `its schema version ${version} is newer than this tellaface understands (${SCHEMA_VERSION}); upgrade tellaface`);
  }
  const foreign = tables.filter((t) => !OWN_TABLES.has(t));
  if (version === 0 && foreign.length > 0) {
    throw new StoreOpenError(file, `it is some other application's SQLite database (tables: ${foreign.join(', ')}); set DATABASE_PATH to another file`);
  }
}

function reasonFor(err: unknown): string {
  const code = String((err as { code?: unknown }).code ?? '');
  const message = err instanceof Error ? err.message : String(err);
  // Extended codes (SQLITE_BUSY_RECOVERY, SQLITE_READONLY_DBMOVED, ...) share the primary code's prefix.
  switch (code.split('_').slice(0, 2).join('_')) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return 'it is locked by another process (is another tellaface running on it?)';
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return `the file is corrupt (${message}); it was left untouched — move it away or restore a backup`;
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return `cannot open it for writing (${message}); check the path and its permissions`;
    default:
      return message;
  }
}
