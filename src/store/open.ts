import type { Config } from '../config.js';
import { openSqliteStore } from './sqlite-store.js';
import type { FaceStore } from './types.js';

export { StoreOpenError } from './errors.js';

/**
 * The face store the settings ask for: PostgreSQL when DATABASE_URL is set (several tellaface processes can
 * share it), else the SQLite file at DATABASE_PATH (the default: nothing to set up).
 * Throws StoreOpenError, naming the database (never a password), when it cannot be opened.
 */
export async function openFaceStore(config: Pick<Config, 'DATABASE_PATH' | 'DATABASE_URL'>): Promise<FaceStore> {
  if (config.DATABASE_URL) {
    const { openPostgresStore } = await import('./postgres-store.js');
    return openPostgresStore(config.DATABASE_URL);
  }
  return openSqliteStore(config.DATABASE_PATH);
}
