import type { FaceRecord } from '../face/record.js';

/** What forgetUser deleted (and the one thing it changed of other users' data). */
export interface ForgetCounts {
  /** The user's faces. */
  faces: number;
  /** Whether the user had a current face (the pointer is gone). */
  currentFace: boolean;
  /** Links from posted messages to the user's faces. */
  messageLinks: number;
  /**
   * Other users' faces made from the user's faces (copies): they stay, as their owners', with parentId
   * set to null, so their undo chain now ends there.
   */
  detachedCopies: number;
  /** Other users whose current face was one of the user's faces (after an undo on a copy): now none. */
  otherCurrentFaces: number;
}

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
  /**
   * Deletes everything stored about a user, all or nothing: their faces, their current-face pointer and
   * the message links to their faces. Other users' copies of their faces are kept (see ForgetCounts).
   */
  forgetUser(ownerId: string): Promise<ForgetCounts>;
  close(): Promise<void>;
}
