import type { FaceRecord } from '../latent/face.js';

/**
 * Where faces live. Async so that a shared store (Redis, Postgres) can replace SQLite when several bot
 * processes run; the SQLite adapter resolves at once.
 */
export interface FaceStore {
  saveFace(face: FaceRecord): Promise<void>;
  getFace(id: string): Promise<FaceRecord | undefined>;
  /** The face a user's next plain refine applies to. */
  getCurrentFaceId(ownerId: string): Promise<string | undefined>;
  setCurrentFaceId(ownerId: string, faceId: string | null): Promise<void>;
  /** Remember which posted message shows which face (replies and reactions look it up). */
  linkMessage(messageId: string, faceId: string): Promise<void>;
  getFaceIdByMessage(messageId: string): Promise<string | undefined>;
  close(): Promise<void>;
}
