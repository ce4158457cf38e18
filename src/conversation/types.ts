import type { FaceRecord } from '../face/record.js';

export interface EngineContext {
  /** Who is acting (Discord user id, or 'console'). Faces are owned and rate-limited per user. */
  userId: string;
  /** Forwarded to the render queue: 1-based position while waiting. */
  onQueued?: (position: number) => void;
  /**
   * Called with a face's labelled PNG once it is drawn, before the face is stored or made current (the chat
   * writes its file here). If it throws, nothing is stored and the error goes to the front end.
   */
  beforeStore?: (face: FaceRecord, png: Buffer) => Promise<void>;
}

export type EngineReply =
  | {
      kind: 'face';
      face: FaceRecord;
      /**
       * The PNG, labelled inside as AI-generated (IPTC trainedAlgorithmicMedia, software, seed, edits, models), or
       * for a face from a photo as AI-edited (compositeWithTrainedAlgorithmicMedia).
       */
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

/**
 * "Pick from four": four saved faces carrying the same edits (none made current), drawn as one 2×2 picture.
 * A reply of its own (not an EngineReply kind), so code that handles faces and text is unchanged.
 */
export interface GridReply {
  kind: 'grid';
  /** The four faces, in reading order (1 2 / 3 4): what pick and vary take. */
  faces: FaceRecord[];
  /** The 2×2 PNG, labelled inside as AI-generated like every face. */
  png: Buffer;
  altText: string;
  caption: string;
  unknown: string[];
  notes: string[];
}

/** What describeFour and vary answer: the grid, or text saying why there is none. */
export type FourReply = GridReply | Extract<EngineReply, { kind: 'text' }>;

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
  /**
   * "Pick from four": four new seeds (or seed, seed+1, seed+2, seed+3) carrying the same edits, saved (not current) and drawn in one batch as a
   * 2×2 'grid' reply; pick or vary one of them next. (Optional, like morph: test doubles may leave the grid out.)
   */
  describeFour?(ctx: EngineContext, text: string, seed?: number): Promise<FourReply>;
  /** One face of a grid becomes the user's current face (their own copy if it is someone else's), at full size. */
  pick?(ctx: EngineContext, faceId: string): Promise<EngineReply>;
  /** Four neighbours of a face (the given one, else the current one): small latent steps that keep its edits; a 'grid' reply. */
  vary?(ctx: EngineContext, faceId?: string): Promise<FourReply>;
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
  /** Who made a face (undefined: no such face): a bare face id reaches only its owner's own faces in the bot. */
  faceOwner(faceId: string): Promise<string | undefined>;
  /** The controls, grouped, for /face axes and /axes. */
  axesHelp(): string;
  /**
   * An animated WebP of the face (the given one, else the current one) moving along an edit ("older",
   * "smile", "from young to old") or into another face (a face id), there and back. Not stored as a face:
   * the current face stays current. Words that name no control get a text reply. Optional so that test
   * engines need not draw animations; the real engine has it.
   */
  morph?(ctx: EngineContext, text: string, options?: MorphOptions): Promise<MorphReply>;
  /**
   * A new face between two faces: the given one (else the user's current one) and `otherFaceId`, with
   * `weight` of the other (default 0.5; 0.05–0.95). Made from the latents the two are drawn with, the base
   * face's locks held; saved and made current like any face, so it can be refined, rerolled and undone
   * (undo goes back to the base face). Optional, like morph.
   */
  mix?(ctx: EngineContext, options: MixOptions): Promise<EngineReply>;
  /**
   * An analogy: the given face (else the current one), changed the way `toFaceId` differs from
   * `fromFaceId` (latent arithmetic: this + s·(to − from)), saved and made current like mix.
   */
  analogy?(ctx: EngineContext, options: AnalogyOptions): Promise<EngineReply>;
  /**
   * The studio (npm run studio): open the current face, preview sliders (not stored), set sliders and locks
   * (a new face per release), text (refine), seed, reroll, undo. The request is validated here: an invalid
   * one (unknown axis, out-of-range or non-finite value, bad seed, unknown field) gets an 'invalid' reply and
   * nothing is stored. Optional, like morph (src/conversation/studio.ts).
   */
  studio?(ctx: EngineContext, request: StudioRequest): Promise<StudioReply>;
  /**
   * A new face from an uploaded photo (src/conversation/photo.ts): the one face in it found, aligned, turned
   * into a latent and redrawn; saved and made current like any face, marked as from a photo (origin kind
   * 'photo'), the photo itself not kept. The reply's picture shows the aligned photo beside the face. Bad
   * uploads (too large, not an image, no face, several faces, a face too small) get a text reply and store
   * nothing; without models/encoder.onnx every upload gets a text reply saying photos are not available.
   */
  photo?(ctx: EngineContext, upload: PhotoUpload): Promise<EngineReply>;
  /** Whether photo() can make faces here (an encoder and a face detector loaded); false: it only says why not. */
  photosAvailable?: boolean;
}

/** An uploaded file: its bytes (the name is only for messages; the bytes decide what it is). */
export interface PhotoUpload {
  bytes: Buffer;
  name?: string;
}

export interface MixOptions {
  /** The face to mix in. */
  otherFaceId: string;
  /** The face to start from (default: the user's current face). */
  faceId?: string;
  /** The other face's share, 0.05–0.95 (default 0.5): "70% of that one" is 0.7. */
  weight?: number;
}

export interface AnalogyOptions {
  /** "the way `to` differs from `from`": the difference added is to − from. */
  fromFaceId: string;
  toFaceId: string;
  /** The face to change (default: the user's current face). */
  faceId?: string;
  /** How much of the difference, (0, 2] (default 1). */
  strength?: number;
}

export interface MorphOptions {
  /** Morph this face instead of the current one. */
  faceId?: string;
  /** Morph into this face (else the words may name a face id, or an edit). */
  toFaceId?: string;
  /** Frames in the loop (default 16). */
  frames?: number;
  /** Frame side in pixels (default the renderer's, 256). */
  size?: number;
}

/** A morph: a looping animated WebP, labelled inside as AI-generated (XMP), or a text answer. */
export type MorphReply =
  | {
      kind: 'morph';
      /** The face it starts from (unchanged, still current). */
      face: FaceRecord;
      webp: Buffer;
      /** "AI-generated animation of a face of a person who does not exist (tellaface), morphing: …". */
      altText: string;
      /** What it morphs along, e.g. "older ▲" or "from young to old". */
      caption: string;
      /** Frames in the animation. */
      frames: number;
      unknown: string[];
      notes: string[];
    }
  | Extract<EngineReply, { kind: 'text' }>;

/**
 * A studio request (src/conversation/studio.ts). Sliders are relative steps on their axes from the face
 * drawn without them (0 = the seed as drawn), from -2 to 2, by attribute name ("Smiling"); locks are
 * attribute names. Requests come from the page as JSON, so the engine checks them again whatever the type says.
 */
export type StudioRequest =
  | { action: 'open' }
  | { action: 'preview' | 'set'; faceId: string; sliders: Record<string, number>; locks?: string[] }
  | { action: 'text'; faceId: string; text: string }
  | { action: 'seed'; faceId: string; seed: number }
  | { action: 'reroll' | 'undo'; faceId: string };

/** A face as the studio shows it: its sliders (those not at 0) and locked axes. */
export interface StudioState {
  face: FaceRecord;
  caption: string;
  sliders: Record<string, number>;
  locks: string[];
  /** Whether the face has a parent to step back to. */
  canUndo: boolean;
}

/** The studio's controls: one slider per axis the models have, grouped as /face axes groups them. */
export interface StudioControls {
  min: number;
  max: number;
  step: number;
  groups: Array<{ group: string; axes: Array<{ name: string; label: string; opposite: string; weak: boolean }> }>;
}

export type StudioReply =
  | {
      /** A face: stored (a release, a lock, words, a seed, reroll) or shown again (open; undo makes the parent current). */
      kind: 'studio';
      state: StudioState;
      /** The PNG, labelled inside as AI-generated like every face. */
      png: Buffer;
      altText: string;
      /** Whether this request stored a new face. */
      stored: boolean;
      /** What happened, in short ("Smiling +0.80", "undid …", the refine's caption). */
      said: string;
      unknown: string[];
      notes: string[];
      /** With 'open': the sliders to draw. */
      controls?: StudioControls;
    }
  | {
      /** A slider being dragged: the picture only, not stored. */
      kind: 'preview';
      faceId: string;
      sliders: Record<string, number>;
      png: Buffer;
      altText: string;
    }
  | {
      /** The request is not valid: what is wrong with it, in words. Nothing was stored. */
      kind: 'invalid';
      text: string;
    }
  | Extract<EngineReply, { kind: 'text' }>;
