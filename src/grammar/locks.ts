/** Reads requests to keep something as it is: "keep the gender", "same age and gender", "hair unchanged". */
import type { AttributeName } from '../face/attributes.js';
import type { Input, Match } from './match.js';
import type { LockObject, Meanings } from './vocabulary.js';

export interface LockRead {
  objects: LockObject[];
  /** Pronouns skipped on the way ("keep his smile"): they still say who this is. */
  pronouns: Array<{ sign: 1 | -1; at: number }>;
  end: number;
}

/** What a phrase would lock: a named object ("gender", "hair") or a feature's own attributes ("glasses"). */
export function lockTarget(mm: Meanings): LockObject | null {
  if (mm.lockObject) return mm.lockObject;
  const term = mm.term;
  if (!term || term.person) return null;
  const attributes = Object.keys(term.set ?? term.step ?? {}) as AttributeName[];
  return attributes.length > 0 ? { name: '', attributes, rest: false } : null;
}

/** After a lock verb ("keep", "same", "don't change"), starting at j. */
export function readLockAfterVerb(input: Input, j: number): LockRead | null {
  const pronouns: LockRead['pronouns'] = [];
  for (let hops = 0; hops < 3; hops++) {
    const mm = input.at(j)?.meanings;
    if (!mm) return null;
    if (mm.lockObject || (mm.term && !mm.term.person)) break;
    if (!(mm.stop || mm.pronoun !== undefined || mm.lockVerb || mm.postLock)) return null;
    if (mm.pronoun !== undefined) pronouns.push({ sign: mm.pronoun, at: j });
    j = (input.at(j) as Match).end;
  }
  const objects: LockObject[] = [];
  for (;;) {
    const m = input.at(j);
    const object = m ? lockTarget(m.meanings) : null;
    if (!m || !object) break;
    objects.push(object);
    j = m.end;
    // more objects: "keep the age and gender", "same hair, age"
    let k = j;
    const comma = input.isBreak(k) && input.tokens[k]?.text === ',';
    const conj = comma ? null : input.at(k);
    if (comma) k += 1;
    else if (conj?.meanings.conj === 'and' || conj?.meanings.conj === 'or') k = conj.end;
    else break;
    const det = input.at(k);
    if (det?.meanings.stop && !det.meanings.lockObject && !det.meanings.term) k = det.end;
    const next = input.at(k);
    if (!next || !(next.meanings.lockObject || (!comma && next.meanings.term && !next.meanings.term.person))) break;
    j = k;
  }
  if (objects.length === 0) return null;
  const after = input.at(j);
  if (after?.meanings.postLock) j = after.end;
  return { objects, pronouns, end: j };
}

/** A lockable word followed by "unchanged", "stays the same", "as is" (at most two filler words between). */
export function readLockAfterWord(input: Input, m: Match): LockRead | null {
  const object = lockTarget(m.meanings);
  if (!object) return null;
  let j = m.end;
  for (let hops = 0; hops < 2; hops++) {
    const next = input.at(j);
    if (next?.meanings.postLock) return { objects: [object], pronouns: [], end: next.end };
    if (!next?.meanings.stop) return null;
    j = next.end;
  }
  return null;
}
