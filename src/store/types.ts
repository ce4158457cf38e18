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
   * Other users' faces made from the user's faces: copies (a refine, 🎲 reroll, pick or vary of one of the
   * user's faces), mixes and analogies that used one, and everything made from those in turn. Each holds the
   * user's words (its edits start with theirs) or the user's face's latent (a mix's or analogy's starting
   * latent), so each is deleted too (docs/forget.md).
   */
  othersFaces: number;
  /** How many other users those faces belonged to. */
  otherOwners: number;
  /** Other users whose current face was one of the deleted faces: now none (their next words start a new face). */
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
   * Deletes everything stored about a user, all or nothing: their faces, their current-face pointer, the
   * faces other users made from theirs (they hold the user's words or latent: see ForgetCounts), and every
   * pointer and message link to any of those.
   */
  forgetUser(ownerId: string): Promise<ForgetCounts>;
  close(): Promise<void>;
}
