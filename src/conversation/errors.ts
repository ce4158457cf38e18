/**
 * The errors an engine call can throw that a front end words for the user (the queue is full, rendering
 * took too long, the database is locked by another process, the shared state in Redis cannot be reached).
 * Front ends import them from here, never from src/render, src/store or src/shared-state.
 */
export { QueueFullError, RenderTimeoutError } from '../render/errors.js';
export { DiskFullError, StoreBusyError } from '../store/errors.js';
export { SharedStateUnavailableError } from '../shared-state/errors.js';
