/**
 * The PostgreSQL store's schema migrations, applied in order, one transaction each (src/store/migrations.ts
 * is SQLite's). The table tellaface_schema_version holds one row per migration applied; the first migration
 * creates it. Append new entries; never edit an applied one.
 *
 * The faces' JSON columns are `json`, not `jsonb`: json keeps the text as written, so the order of a
 * face's weights (and every number) reads back exactly as it was saved, as it does from SQLite.
 */
export const PG_MIGRATIONS: readonly string[] = [
  // 1: the schema of SQLite's migrations 1-4 at once (seed, edits, parent, model, ψ, jitter, origin).
  `
  CREATE TABLE tellaface_schema_version (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE faces (
    id         text PRIMARY KEY,
    owner_id   text NOT NULL,
    seed       bigint NOT NULL CHECK (seed BETWEEN 0 AND 4294967295),
    edits      json NOT NULL,
    parent_id  text REFERENCES faces(id),
    created_at bigint NOT NULL,
    model      text,
    truncation double precision NOT NULL DEFAULT 1,
    jitter     json,
    origin     json
  );
  CREATE INDEX faces_by_owner ON faces(owner_id, created_at);
  CREATE INDEX faces_by_parent ON faces(parent_id);
  CREATE TABLE current_face (
    owner_id text PRIMARY KEY,
    face_id  text NOT NULL REFERENCES faces(id)
  );
  CREATE INDEX current_face_by_face ON current_face(face_id);
  CREATE TABLE messages (
    message_id text PRIMARY KEY,
    face_id    text NOT NULL REFERENCES faces(id)
  );
  CREATE INDEX messages_by_face ON messages(face_id);
  `,
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

export const PG_VERSION_TABLE = 'tellaface_schema_version';

/** Our own tables: a schema without tellaface_schema_version that has any table is not ours and is left alone. */
export const PG_OWN_TABLES: ReadonlySet<string> = new Set([PG_VERSION_TABLE, 'faces', 'current_face', 'messages']);

/**
 * The advisory lock (pg_advisory_lock, database-wide) held while a process checks and migrates the schema,
 * so that two tellafaces starting together do not both migrate: "tellafac" as a 64-bit integer.
 */
export const PG_MIGRATION_LOCK = '8387229093793784163';
