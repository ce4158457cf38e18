import type { Edit, SeedStart } from '../face/record.js';
import { seedToLatent } from './seed.js';

/**
 * The candidate latents the seed search (./seed-search.ts) chooses among: set s of a seed holds candidates
 * 0, 1, 2, … each the latent of a seed derived from (seed, set, index) by integer hashing alone, so the same
 * seed and set give the same candidates on every machine. A face the search started records which one it took
 * (Edit.start on its first edit), so it is redrawn from that record alone, without searching again; faces
 * without it (every face stored before the search, mixes, analogies) start from their seed's own latent as before.
 */
export const SEARCH_VERSION = 1;

/** 32-bit avalanche (murmur3's finaliser). */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The seed of candidate `index` in set `set` of `seed` (uint32). */
export function candidateSeed(seed: number, set: number, index: number): number {
  let h = mix32((seed >>> 0) ^ 0x5eed5ea7);
  h = mix32((h + Math.imul(set + 1, 0x9e3779b9)) >>> 0);
  return mix32((h + Math.imul(index + 1, 0x632be5ab)) >>> 0);
}

/** Candidate `index` of set `set` of `seed`: z ~ N(0, I). */
export function candidateLatent(seed: number, set: number, index: number, zDim: number): Float32Array {
  return seedToLatent(candidateSeed(seed, set, index), zDim);
}

/** Where a face's latent starts when the seed search chose it: its first edit's record (undefined if none). */
export function searchStart(edits: readonly Pick<Edit, 'start'>[] | undefined): SeedStart | undefined {
  const start = edits?.[0]?.start;
  return start?.version === SEARCH_VERSION ? start : undefined;
}

/** The edits with the first one's search record replaced (or removed, with undefined). */
export function withStart(edits: readonly Edit[], start: SeedStart | undefined): Edit[] {
  if (edits.length === 0) return [];
  const first = { ...edits[0]! };
  delete first.start;
  return [start ? { ...first, start } : first, ...edits.slice(1)];
}
