import type { FaceRecord } from '../latent/face.js';

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
      png: Buffer;
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
      reason: 'nothing-understood' | 'no-face' | 'nothing-to-undo' | 'info' | 'error';
    };

/** The one engine both front ends (Discord bot, local console) call. */
export interface ConversationEngine {
  /** A new face from a description, with a fresh random seed (or the given one). */
  describe(ctx: EngineContext, text: string, seed?: number): Promise<EngineReply>;
  /** Refine a face (the given one, else the user's current face) with more words. */
  refine(ctx: EngineContext, text: string, faceId?: string): Promise<EngineReply>;
  /** Same edits, new seed. */
  reroll(ctx: EngineContext, faceId?: string): Promise<EngineReply>;
  /** Back to the face before the user's current one. */
  undo(ctx: EngineContext): Promise<EngineReply>;
  /** Forget the user's current face. */
  reset(ctx: EngineContext): Promise<EngineReply>;
  /** What the classifier sees in a face: its top attributes. */
  explain(ctx: EngineContext, faceId?: string): Promise<EngineReply>;
  /** The controls, grouped, for /face axes and /axes. */
  axesHelp(): string;
}
