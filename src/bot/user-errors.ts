import { DiskFullError, QueueFullError, RenderTimeoutError, SharedStateUnavailableError, StoreBusyError } from '../conversation/errors.js';

/** The one line a user sees for a failure; the full error only goes to the log. */
export function userMessageForError(err: unknown): string {
  if (err instanceof QueueFullError) return '⏳ the queue is full, try again in a moment';
  if (err instanceof RenderTimeoutError) {
    return '⌛ rendering took too long and was given up; please try again in a moment';
  }
  if (err instanceof DiskFullError) return '💾 the bot\'s disk is full, so nothing was saved; its operators can see it in the log, please try again later';
  if (err instanceof StoreBusyError) return '⏳ the face store is busy right now, so nothing was saved; please try again in a moment';
  if (err instanceof SharedStateUnavailableError) return '⏳ the bot is busy right now, so nothing was done; please try again in a moment';
  return '⚠️ something went wrong drawing that face; it has been logged, please try again';
}

/** What to log as the error kind (keeps log queries simple). */
export function errorKind(err: unknown): string {
  if (err instanceof QueueFullError) return 'queue-full';
  if (err instanceof RenderTimeoutError) return 'render-timeout';
  if (err instanceof DiskFullError) return 'disk-full';
  if (err instanceof StoreBusyError) return 'store-busy';
  if (err instanceof SharedStateUnavailableError) return 'shared-state-unavailable';
  return err instanceof Error ? err.name : typeof err;
}
