import type { FaceRecord } from '../face/record.js';

export interface EngineContext {
  /** Who is acting (Discord user id, or 'console'). Faces are owned and rate-limited per user. */
  userId: string;
  /** Forwarded to the render queue: 1-based position while waiting. */
  onQueued?: (position: number) => void;
}

export type EngineReply =
  | {
      kind: 'face';
      face: FaceRecord;
      /** The PNG, labelled inside as AI-generated (IPTC trainedAlgorithmicMedia, software, seed, edits, models). */
      png: Buffer;
      /** The same said in words, for the picture's alt text ("AI-generated face of a person who does not exist …"). */
      altText: string;
      /** What was applied, e.g. "older ▲, smiling ▲, beard ▲, receding hairline ▲". */
      caption: string;
      /** Words that were not understood (shown to the user, never dropped). */
      unknown: string[];
      /** Remarks such as contradictions resolved ("'young' overrides the earlier 'old'"). */
      notes: string[];
    }
  | {
      kind: 'text';
      text: string;
      /** Why there is no face: the front end may show it ephemerally. */
      reason: 'nothing-understood' | 'nothing-changed' | 'no-face' | 'nothing-to-undo' | 'info' | 'error';
    };

/** A user's current face, and its edits as a caption ("older ▲ · smiling ▲"). */
export interface CurrentFace {
  face: FaceRecord;
  caption: string;
}

/**
 * The one engine both front ends (Discord bot, local console) call: the only door to the faces, the store
 * and the render queue. Front ends hold no face state of their own.
 */
export interface ConversationEngine {
  /** A new face from a description, with a fresh random seed (or the given one). */
  describe(ctx: EngineContext, text: string, seed?: number): Promise<EngineReply>;
  /**
   * Refine a face (the given one, else the user's current face) with more words; with neither, the words
   * describe a new face. So a plain line or message needs no describe-or-refine decision of its own.
   * Words that would change nothing get a 'nothing-changed' text reply and no new face.
   */
  refine(ctx: EngineContext, text: string, faceId?: string): Promise<EngineReply>;
  /** Same edits, new seed. */
  reroll(ctx: EngineContext, faceId?: string): Promise<EngineReply>;
  /**
   * Back to the face before the user's current one. With `faceId` (an Undo button under that face), only
   * when it is the user's own current face; otherwise a text reply says why.
   */
  undo(ctx: EngineContext, faceId?: string): Promise<EngineReply>;
  /** Forget the user's current face (the faces stay). */
  reset(ctx: EngineContext): Promise<EngineReply>;
  /** Delete everything stored about the user; the reply says what was deleted. */
  forget(ctx: EngineContext): Promise<EngineReply>;
  /** What the classifier sees in a face: its top attributes. Runs in the render queue's line. */
  explain(ctx: EngineContext, faceId?: string): Promise<EngineReply>;
  /** The user's current face, if any (e.g. to say on start which face a plain line refines). */
  currentFace(ctx: EngineContext): Promise<CurrentFace | undefined>;
  /** Remember that a posted message shows this face, so replies and reactions to it find it later. */
  linkMessage(messageId: string, faceId: string): Promise<void>;
  /** The face a posted message shows, if it is one of ours. */
  faceForMessage(messageId: string): Promise<string | undefined>;
  /** The controls, grouped, for /face axes and /axes. */
  axesHelp(): string;
}
