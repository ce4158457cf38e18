/**
 * The face record that every stage shares: what the grammar makes of words (weights, modes, an age), what
 * the latent stage applies, what the store keeps and the engine passes around. It depends on nothing but
 * the attribute names (./attributes.ts), so grammar/ and latent/ both import it and neither imports the other.
 */
import type { AttributeName } from './attributes.js';

/**
 * How a weight is applied to a face:
 * - 'target': set the attribute to a calibrated level (+1 clearly present, -1 clearly absent),
 *   whatever the seed was ("a woman", "with glasses", "no beard").
 * - 'step': move relative to where the face is now ("older", "more smile", "a bit less makeup").
 */
export type EditMode = 'target' | 'step';

export type Weights = Partial<Record<AttributeName, number>>;

/**
 * An age in years, for models with an age head (F's `age` output, trained on UTKFace's real ages):
 * - 'exact': "a 70 year old" (the number the words said);
 * - 'atLeast' / 'atMost': "old" / "young" (a floor or a ceiling: a face already past it stays as it is);
 * - 'step': "10 years older" (+10), "a bit younger" (-6), relative to the face before the edit.
 * It travels with the Young weight the same words set, which is what models without an age head use.
 */
export interface AgeRequest {
  mode: 'exact' | 'atLeast' | 'atMost' | 'step';
  years: number;
}


/** One applied request: what the grammar understood of one message, replayed in order on the seed. */
export interface Edit {
  /** The text the user typed (for captions and history). */
  text: string;
  weights: Weights;
  mode: Partial<Record<AttributeName, EditMode>>;
  locks: AttributeName[];
  /** The age asked for in years (drives the age axis when the models have one; else Young does). */
  age?: AgeRequest;
  /**
   * Set on the first edit of a face made from other faces or from a photo (FaceRecord.origin): its text says
   * what was combined ("mixed with face …", "from a photo"); it has no weights, and carries the locks of the
   * face it started from (none for a photo).
   */
  made?: LatentOrigin['kind'];
  /** 'studio': the studio's sliders (one edit of step weights, rewritten in place as the sliders move). */
  source?: 'studio';
  /**
   * On a face's first edit, when the seed search chose where the face starts (src/latent/seed-search.ts):
   * which candidate of which set of the seed it took (src/latent/candidates.ts). Absent on faces stored before
   * the search and on faces that start from their seed's own latent.
   */
  start?: SeedStart;
  /**
   * The goals of earlier explicit edits this edit holds (docs/held-goals.md): the steering loop checks them
   * again after this edit and keeps them. Set by refines; absent on first edits, on edits with nothing to
   * hold and on every edit stored before held goals existed (those replay as they did: nothing extra held).
   */
  held?: HeldGoals;
}

/** Earlier goals an edit holds, versioned like SeedStart (a later version may hold more; version 1 is read). */
export interface HeldGoals {
  version: 1;
  goals: HeldGoal[];
}

/**
 * One earlier goal held: a target weight on an attribute ("with a hat": Wearing_Hat +1), or for Young an age
 * in years ("a 70 year old": exact 70) with the Young weight that models without an age head use.
 */
export interface HeldGoal {
  name: AttributeName;
  /** The target weight asked for (absent when only an age in years was asked for). */
  weight?: number;
  /** On Young: the age asked for, 'exact', 'atLeast' or 'atMost' (a step in years is not a level to hold). */
  age?: AgeRequest;
  /** The words of the edit that asked for it ("put a hat on him"), for /face explain. */
  said: string;
}

/** The seed search's pick, versioned: candidate `pick` of set `set` (set 0 first, each reroll the next). */
export interface SeedStart {
  version: 1;
  set: number;
  pick: number;
}

/**
 * A face is a seed plus the edits applied to it. Records are immutable: every render makes a new record
 * whose parentId is the face it came from, so any old face can be refined and undo walks back.
 */
export interface FaceRecord {
  id: string;
  ownerId: string;
  /** uint32; the same seed gives the same latent on every machine (src/latent/seed.ts). */
  seed: number;
  edits: Edit[];
  parentId: string | null;
  createdAt: number;
  /**
   * Which models drew it: "<generator>/<axes>", the first 12 hex digits of the SHA-256 of generator.onnx
   * (models/generator_info.json `fingerprint`) and of axes.json. A face is a seed plus edits, so new models
   * redraw it differently; the engine says so when it re-renders a face drawn by other models.
   * null: stored before models were recorded.
   */
  model: string | null;
  /** Truncation psi: the seed's latent is scaled by psi before the edits (1 = none; lower = more typical). */
  truncation: number;
  /**
   * Small random steps from the seed's latent, in order ("vary": a neighbour of a face that keeps its edits;
   * src/latent/jitter.ts). Absent on most faces (and on every face stored before it existed).
   */
  jitter?: Jitter[];
  /**
   * Where the face's latent starts when it is not a seed's: a mix of two faces or an analogy (A − B + C),
   * made from the latents those faces were drawn with. Absent on faces drawn from a seed. The latent itself
   * is kept, so the face does not depend on the faces it came from staying stored (or being redrawn the
   * same way by later models); ψ scales it and jitter steps move it as they do a seed's latent.
   */
  origin?: LatentOrigin;
}

/** A face's starting latent made from other faces (FaceRecord.origin). */
export interface LatentOrigin {
  /**
   * 'mix': (1 − w)·this + w·other; 'analogy': this + (to − from); 'photo': the latent an uploaded photo was
   * inverted to (src/photo/: no parts, the photo itself is never kept).
   */
  kind: 'mix' | 'analogy' | 'photo';
  /**
   * The faces it was made from and their weights, for history and captions: a mix
   * [{this, 1 − w}, {other, w}]; an analogy [{this, 1}, {to, s}, {from, −s}].
   */
  parts: Array<{ faceId: string; weight: number }>;
  /** The starting latent: little-endian float32, base64. */
  z: string;
  /** On a mix or analogy made from a photo's face: it is a photo's face too (labelled so, only its owner may change it). */
  fromPhoto?: true;
}

/**
 * Whether a face was made from an uploaded photo (directly, or by mixing a photo's face): its pictures are
 * labelled as AI-edited, not AI-generated, and only its owner may refine it. Faces stored before photos
 * existed have no such origin: false.
 */
export function isFromPhoto(face: Pick<FaceRecord, 'origin'>): boolean {
  return face.origin?.kind === 'photo' || face.origin?.fromPhoto === true;
}

/** What a face's picture depends on (what the latent stage needs to draw it). */
export type Drawable = Pick<FaceRecord, 'seed' | 'edits' | 'truncation' | 'jitter' | 'origin'>;

/** One small step from a seed's latent: the noise of another seed, at this scale (src/latent/jitter.ts). */
export interface Jitter {
  seed: number;
  scale: number;
}

/** Where a face's latent starts, beyond its seed: carried by refines, picks, varies and slider moves. */
export function startOf(face: Drawable): Pick<Drawable, 'jitter' | 'origin'> {
  return { ...(face.jitter ? { jitter: face.jitter } : {}), ...(face.origin ? { origin: face.origin } : {}) };
}

/** A mixed face's edits for a new seed: the mix itself goes, the locks it carried stay. */
export function withoutOrigin(edits: readonly Edit[]): Edit[] {
  return edits.flatMap((e) => (!e.made ? [e] : e.locks.length ? [{ text: `keep: ${e.locks.join(', ')}`, weights: {}, mode: {}, locks: e.locks }] : []));
}
