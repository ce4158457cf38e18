/**
 * The errors an engine call can throw that a front end words for the user (the queue is full, rendering
 * took too long, the database is locked by another process). Front ends import them from here, never from
 * src/render or src/store.
 */
export { QueueFullError, RenderTimeoutError } from '../render/errors.js';
export { StoreBusyError } from '../store/errors.js';
