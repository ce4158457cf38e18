import type { Edit } from '../face/record.js';
import { keepInRange } from './edit.js';
import type { FaceReading, ReadFaces } from './steer.js';
import { addScaled, cosineDistance, dot, gramSchmidt, projectOff } from './vector.js';

/**
 * The identity hold in the closed loop (src/latent/steer.ts): a refinement keeps who the face is, as the loop
 * keeps its gender and age. "Who" is the identity network's embedding of the rendered face (models/identity.onnx,
 * src/render/identity.ts; each reading carries it as `identity` when the scorer has the network), and the hold
 * is a band on its distance (1 − cosine) from the face's anchor: the face's first render in the chain (after
 * its first edit, or after the latest edit that asked for another person), not the face just before this
 * edit, so that three refinements in a row cannot each spend the band and add up to someone else.
 *
 * It costs nothing while the faces the loop draws are within the band (the network reads the images G drew for
 * F's reading anyway, which costs about 11 ms a read). A pass whose face drifted out of the band pulls the next one back
 * toward the face before the edit, off the goals' directions (the loop's corrections and side moves, not the goal;
 * the loop then takes one more pass for it if the goals were met). If the loop's best face is still out of the
 * band, the hold gives up part of the goal, never the identity: a pass that was within the band and misses no
 * more, else one batched read of
 * candidates between the face before the edit (z) and the loop's best face: the best face with its moves off
 * the goal directions taken back (those moves are the loop's corrections, the part of the change that is not
 * the goal), and parts of the whole edit (IDENTITY_BACKOFF). Of these, the loop's passes that were within the
 * band, and the face before the edit, the one within the band that misses least wins; if none is, the closest.
 * The reply then says that more of the goal would make the face someone else. An edit that asks for an age is
 * held within a wider band (AGE_BAND_FACTOR times the band).
 *
 * Words that ask for another person are not held, and start a new anchor: the first edit of a mix or an
 * analogy, a gender asked for ("make him a woman": a recogniser reads gender as part of who a face is), and
 * words such as "someone else" or "a different person". A reroll is a new seed: its chain starts again.
 */
export interface IdentityHold {
  /** How far (1 − cosine of the identity embeddings) a refined face may be from its anchor. */
  band: number;
}

/**
 * How much wider the band of an edit that asks for an age is ("make me older", "make her 60 years old",
 * "younger"): 0.368 (the network's strict threshold, the default band) × 1.36 = 0.50. The identity network reads
 * years as part of who someone is, so at the strict band the hold gave up most of the age asked for. A factor, not
 * a number, so an operator's IDENTITY_BAND moves both.
 * `npm run eval:identity -- --seeds 40` (the 3,267k G): "make him younger" reached 40% -> 60%, "make her older"
 * 50% -> 57%, "make her 60 years old" 15% -> 12.5%, each still closer to its first render than another seed's face on
 * 95-98% of seeds; a photo's "make me older" (`npm run eval:photo -- --frames 200`) 41.5% -> 57.9%. The anchor stays
 * the first render, so the words after an age are held no further than the aged face is (IdentityKeeper.startFrom):
 * chain A's "add glasses" after "make him younger" 68% -> 60%. docs/identity-hold.md, "An age asked for".
 */
export const AGE_BAND_FACTOR = 1.36;

/** Whether an edit asks for an age: years, or a Young weight ("younger", "less young"). */
export function asksForAge(edit: Pick<Edit, 'weights' | 'age'>): boolean {
  const young = edit.weights.Young;
  return edit.age !== undefined || (young !== undefined && Number.isFinite(young) && young !== 0);
}

/** The parts of the edit (z → the loop's best face) tried when the best face is out of the band. */
export const IDENTITY_BACKOFF = [0.75, 0.5, 0.3, 0.15] as const;
/** The most of the way back a pass's pull goes (./identity-hold.ts IdentityKeeper.pull). */
export const PULL_MAX = 0.8;
/** How much of the best face's moves off the goal directions is kept in the trimmed candidates. */
export const OFF_GOAL_KEEP = [0.5, 0] as const;

const ANOTHER_PERSON =
  /\b(some(one|body)\s+else|(a|an)\s+(different|other|new)\s+(person|man|woman|guy|girl|boy|face|one)|another\s+(person|man|woman|guy|girl|boy|face|one))\b/i;

/** Whether an edit asks for another person (and so is not held, and starts a new anchor). */
export function asksForAnotherPerson(edit: Pick<Edit, 'text' | 'weights' | 'made'>): boolean {
  return edit.made !== undefined || edit.weights.Male !== undefined || ANOTHER_PERSON.test(edit.text);
}

/** The identity distance of two embeddings: 1 − cosine (./vector.ts; src/render/identity.ts names it identityDistance). */
export const embeddingDistance = cosineDistance;

/** A face's distance from the anchor (undefined when either was not read by the identity network). */
export function identityDrift(r: FaceReading, anchor: Float32Array | undefined): number | undefined {
  return r.identity && anchor && r.identity.length === anchor.length ? embeddingDistance(r.identity, anchor) : undefined;
}

interface Face {
  z: Float32Array;
  reading: FaceReading;
  bad: number;
}

/**
 * What the hold needs through one edit: the anchor and band, and the passes within the band seen so far (no read).
 * `undefined` from identityHoldFor when nothing is held (no network, no anchor, or the words ask for another person).
 */
export class IdentityKeeper {
  private bestWithin: Face | undefined;

  private allowed: number;

  constructor(
    readonly anchor: Float32Array,
    band: number,
  ) {
    this.allowed = band;
  }

  /** The drift this edit may end at: the band, or how far the face already was before the edit if further. */
  get band(): number {
    return this.allowed;
  }

  /**
   * The face before the edit (`before`), once read: a face already further from the anchor than the band (an
   * age asked for earlier, held within its wider band) is held no further than it is, not pulled back to the band
   * (which no part of this edit could reach: every candidate lies between that face and the loop's).
   */
  startFrom(before: FaceReading): void {
    const d = identityDrift(before, this.anchor);
    if (d !== undefined && d > this.allowed) this.allowed = d;
  }

  within(r: FaceReading): boolean {
    const d = identityDrift(r, this.anchor);
    return d === undefined || d <= this.band;
  }

  /** Notes a pass of the loop (its badness as steer.ts counts it): the best within the band is a candidate later. */
  see(face: Face): void {
    if (this.within(face.reading) && (!this.bestWithin || face.bad < this.bestWithin.bad)) this.bestWithin = face;
  }

  /**
   * In a pass of the loop, when the face read (`reading`) is out of the band: the next face `out` is pulled back
   * toward the face before the edit (z) off the goals' directions (`goalBasis`, orthonormal), by the part that
   * would bring the drift to the band if it were all off the goals (1 − cosine grows about as the square of the angle).
   */
  pull(out: Float64Array, z: Float32Array, reading: FaceReading, goalBasis: readonly Float64Array[]): void {
    const d = identityDrift(reading, this.anchor);
    if (d === undefined || d <= this.band) return;
    const back = projectOff(Float64Array.from(z, (v, i) => v - out[i]!), goalBasis);
    addScaled(out, back, Math.min(PULL_MAX, 1 - Math.sqrt(this.band / d)));
  }

  /**
   * The face the edit ends with, when `best` is out of the band (undefined when it is within: no read): the
   * candidate within the band that misses least, else the closest to the anchor. `goalDirs` are the goals'
   * directions at best.z; `badness` scores a reading as the loop does.
   */
  async settle(
    z: Float32Array, before: FaceReading, best: Face, goalDirs: readonly Float32Array[],
    badness: (r: FaceReading) => number, read: ReadFaces,
  ): Promise<{ face: Face; reads: number } | undefined> {
    if (this.within(best.reading)) return undefined;
    // a pass of the loop within the band that misses no more than the best: no read needed
    if (this.bestWithin && this.bestWithin.bad <= best.bad) return { face: this.bestWithin, reads: 0 };
    const delta = Float64Array.from(best.z, (v, i) => v - z[i]!);
    const basis = gramSchmidt(goalDirs.filter((d) => d.length === z.length));
    // the change along the goals' directions alone
    const onGoals = new Float64Array(z.length);
    for (const b of basis) {
      const c = dot(delta, b);
      for (let i = 0; i < z.length; i++) onGoals[i]! += c * b[i]!;
    }
    const tries = [
      ...(basis.length > 0 ? OFF_GOAL_KEEP.map((k) => Float32Array.from(z, (v, i) => v + onGoals[i]! + k * (delta[i]! - onGoals[i]!))) : []),
      ...IDENTITY_BACKOFF.map((a) => Float32Array.from(z, (v, i) => v + a * delta[i]!)),
    ].map((t) => keepInRange(t));
    const readings = await read(tries);
    const faces: Face[] = [
      ...tries.map((t, i) => ({ z: t, reading: readings[i]!, bad: badness(readings[i]!) })),
      ...(this.bestWithin ? [this.bestWithin] : []),
      { z, reading: before, bad: badness(before) },
    ];
    const kept = faces.filter((f) => this.within(f.reading));
    if (kept.length > 0) return { face: kept.reduce((a, f) => (f.bad < a.bad ? f : a)), reads: 1 };
    const drift = (f: Face) => identityDrift(f.reading, this.anchor) ?? Infinity;
    return { face: faces.reduce((a, f) => (drift(f) < drift(a) ? f : a)), reads: 1 };
  }
}

/** The keeper for one edit, or undefined when nothing is held. */
export function identityHoldFor(
  hold: IdentityHold | undefined, anchor: Float32Array | undefined, edit: Pick<Edit, 'text' | 'weights' | 'made' | 'age'>,
): IdentityKeeper | undefined {
  if (!hold || !anchor || asksForAnotherPerson(edit)) return undefined;
  return new IdentityKeeper(anchor, asksForAge(edit) ? hold.band * AGE_BAND_FACTOR : hold.band);
}

/**
 * The anchor after an edit: the face's first render (after edit 0), or the face an edit asking for another
 * person drew; else the anchor it had.
 */
export function nextAnchor(
  anchor: Float32Array | undefined, index: number, edit: Pick<Edit, 'text' | 'weights' | 'made'>, reading: FaceReading,
): Float32Array | undefined {
  return index === 0 || asksForAnotherPerson(edit) ? reading.identity : anchor;
}

/**
 * F's reading of the face an edit ended on, with its identity embedding when the anchor is taken from it
 * (nextAnchor: a new face's first render, or the face of words that ask for another person) and the loop did
 * not read it: such an edit holds nothing, so its loop reads no identity, and only the face it ends on is read
 * by the network (one embedding; the scorer reads it on the image G drew for F). Else the reading as it is.
 */
export async function withAnchorIdentity(
  z: Float32Array, reading: FaceReading, index: number, edit: Pick<Edit, 'text' | 'weights' | 'made'>,
  hold: IdentityHold | undefined, read: ReadFaces,
): Promise<FaceReading> {
  if (!hold || reading.identity || !(index === 0 || asksForAnotherPerson(edit))) return reading;
  const identity = (await read([z], { identity: true }))[0]?.identity;
  return identity ? { ...reading, identity } : reading;
}
