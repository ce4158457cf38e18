import fs from 'node:fs';

/**
 * The face database could not be opened: corrupt, not a SQLite file, locked by another process, from a newer
 * version, or not writable. The message always names the file; the file itself is left untouched.
 */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot open the face database ${path}: ${reason}`, options);
  }
}

/**
 * Another process held the face database locked for longer than the busy timeout: the request was not
 * saved (a face is only shown once it is stored). Worth a retry; if it keeps happening, two tellafaces share
 * the file.
 */
export class StoreBusyError extends Error {
  override name = 'StoreBusyError';
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`the face database ${path} is locked by another process (is another tellaface running on it?): nothing was saved, try again`, options);
  }
}

/**
 * The disk that holds the faces (the database, or the chat's PNG folder) is full: nothing was saved, nor
 * made current. Said as it is ("the disk is full"), not as SQLite's "disk I/O error" or "database or disk is full".
 */
export class DiskFullError extends Error {
  override name = 'DiskFullError';
  constructor(
    readonly where: string,
    options?: { cause?: unknown },
  ) {
    super(`the disk is full (${where}): nothing was saved; free some space and try again`, options);
  }
}

/** Fewer bytes than this free on a disk that failed a write: the failure was the disk filling up. */
const NEARLY_FULL_BYTES = 1 << 20;

/** Whether the disk holding `dir` has (almost) no space left; false when it cannot be told. */
export function diskNearlyFull(dir: string): boolean {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize < NEARLY_FULL_BYTES;
  } catch {
    return false;
  }
}
