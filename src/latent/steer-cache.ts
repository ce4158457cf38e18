/**
 * The closed loop's result for a face, kept so that a request steers only the edits that are new: a refine
 * of a face drawn before steers its one new edit from the parent's latent and F's reading of it, instead of
 * replaying the whole chain through G and F (7.8 s at 500 edits before this; see bench/steer-chain.ts).
 *
 * Keys are content addresses: the SHA-256 of everything the latent depends on, for each prefix of the edits
 * (seed, ψ, jitter, origin, then the edits in order), so a cached state is exactly what steerFace would
 * compute for that prefix, whichever face (or user) it came from. Least recently used entries go first.
 */
import { createHash } from 'node:crypto';
import type { AttributeName } from '../face/attributes.js';
import type { Drawable } from '../face/record.js';
import type { AxisSet } from './axes.js';
import { namedBy } from './edit.js';
import { steerEdit, steerFace, type ReadFaces, type SteerResult } from './steer.js';
import { asksForAnotherPerson, nextAnchor, withAnchorIdentity } from './identity-hold.js';

/** About 3 KB each (a 512-number latent and F's reading): 4,000 faces in about 12 MB. */
export const STEER_CACHE_ENTRIES = 4000;

export class SteerCache {
  private readonly states = new Map<string, SteerResult>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = STEER_CACHE_ENTRIES) {}

  get(key: string): SteerResult | undefined {
    const state = this.states.get(key);
    if (state) {
      this.states.delete(key);
      this.states.set(key, state);
    }
    return state;
  }

  set(key: string, state: SteerResult): void {
    this.states.delete(key);
    this.states.set(key, state);
    while (this.states.size > this.maxEntries) this.states.delete(this.states.keys().next().value!);
  }

  get size(): number {
    return this.states.size;
  }
}

/** keys[k]: the address of the face's latent after its first k edits. */
export function prefixKeys(face: Drawable): string[] {
  const start = JSON.stringify([face.seed, face.truncation ?? 1, face.jitter ?? null, face.origin?.z ?? null]);
  const keys = [createHash('sha256').update(start).digest('base64')];
  for (const edit of face.edits) {
    // the words as typed do not change the latent; what they set does, and whether they ask for another person
    // (the identity hold reads that from the words: ./identity-hold.ts), so that is part of the key too
    const what = JSON.stringify({ ...edit, text: undefined, anotherPerson: asksForAnotherPerson(edit) || undefined });
    keys.push(createHash('sha256').update(keys.at(-1)!).update(what).digest('base64'));
  }
  return keys;
}

/**
 * steerFace, starting from the longest prefix of the face's edits that is cached (the parent, for a refine):
 * the same result as steerFace on the whole face, with G+F passes only for the edits after that prefix.
 * `passes` counts the passes this call ran.
 */
export async function steerFaceCached(face: Drawable, axes: AxisSet, read: ReadFaces, cache: SteerCache): Promise<SteerResult> {
  const keys = prefixKeys(face);
  const n = face.edits.length;
  let k = n;
  let state: SteerResult | undefined;
  // a face with edits never starts from the unedited state: steerFace reads the seed's face together with the first move
  for (; k >= (n === 0 ? 0 : 1) && !state; k--) state = cache.get(keys[k]!);
  if (!state) {
    cache.misses++;
    const full = await steerFace(face, axes, read);
    cache.set(keys[n]!, full);
    return { ...full, z: new Float32Array(full.z) };
  }
  cache.hits++;
  k++; // the loop stepped past the prefix it found
  if (k === n) return { ...state, z: new Float32Array(state.z), passes: 0 };
  const locks = new Set<AttributeName>(face.edits.slice(0, k).flatMap((e) => e.locks));
  let z: Float32Array = new Float32Array(state.z);
  let reading = state.reading;
  let shortfalls = state.shortfalls;
  let passes = 0;
  let anchor = state.anchor;
  for (const [i, edit] of face.edits.slice(k).entries()) {
    const r = await steerEdit(z, reading, edit, axes, locks, read, { namedBefore: namedBy(face.edits.slice(0, k + i)) }, anchor);
    ({ z, shortfalls } = r);
    reading = await withAnchorIdentity(z, r.reading, k + i, edit, axes.identityHold, read);
    passes += r.passes;
    for (const l of edit.locks) locks.add(l);
    anchor = nextAnchor(anchor, k + i, edit, reading);
  }
  const result = { z, reading, shortfalls, passes, ...(anchor ? { anchor } : {}) };
  cache.set(keys[n]!, result);
  return { ...result, z: new Float32Array(z) };
}
