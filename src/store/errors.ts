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
