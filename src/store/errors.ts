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
