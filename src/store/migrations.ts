import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order. The database's `user_version` pragma is the number of migrations
 * already applied. Append new entries; never edit an applied one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE faces (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL,
    seed       INTEGER NOT NULL CHECK (seed BETWEEN 0 AND 4294967295),
    edits      TEXT NOT NULL,
    parent_id  TEXT REFERENCES faces(id),
    created_at INTEGER NOT NULL
  );
  CREATE INDEX faces_by_owner ON faces(owner_id, created_at);
  CREATE TABLE current_face (
    owner_id TEXT PRIMARY KEY,
    face_id  TEXT NOT NULL REFERENCES faces(id)
  );
  CREATE TABLE messages (
    message_id TEXT PRIMARY KEY,
    face_id    TEXT NOT NULL REFERENCES faces(id)
  );
  `,
  // 2: which generator drew a face (null: before this was recorded) and its truncation psi.
  `
  ALTER TABLE faces ADD COLUMN model TEXT;
  ALTER TABLE faces ADD COLUMN truncation REAL NOT NULL DEFAULT 1;
  `,
  // 3: a varied face's small steps from its seed's latent (JSON [{seed, scale}], null for most faces).
  `
  ALTER TABLE faces ADD COLUMN jitter TEXT;
  `,
  // 4: a mixed face's or an analogy's starting latent and the faces it came from (JSON, null for most faces).
  `
  ALTER TABLE faces ADD COLUMN origin TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Our own tables: a database at version 0 that has any other table is not ours and is left alone. */
export const OWN_TABLES: ReadonlySet<string> = new Set(['faces', 'current_face', 'messages']);

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the schema up to SCHEMA_VERSION, one transaction per migration. */
export function migrate(db: Database.Database): void {
  for (let version = schemaVersion(db); version < SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
