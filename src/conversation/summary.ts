import { searchStart } from '../latent/candidates.js';
import type { FaceRecord } from '../face/record.js';

/** How `next` relates to `prev` (the face shown before), in a few words for a one-line summary. */
export function describeChange(prev: FaceRecord | undefined, next: FaceRecord): string {
  if (prev && next.id === prev.id) return `same face, seed ${next.seed}`;
  if (prev && next.parentId === prev.id) {
    if (next.seed !== prev.seed) return `rerolled: seed ${prev.seed} → ${next.seed}`;
    // a reroll of a searched face keeps the seed and moves to its next candidate set (src/latent/candidates.ts)
    const [from, to] = [searchStart(prev.edits)?.set, searchStart(next.edits)?.set];
    if (to !== undefined && from !== to) return `rerolled: seed ${next.seed}, candidate set ${from ?? 'none'} → ${to}`;
    if (next.origin?.kind === 'photo' && next.origin.z !== prev.origin?.z) return 'made from a photo';
    if (next.origin && next.origin.z !== prev.origin?.z) return `made from ${next.origin.parts.length} faces (${next.origin.kind})`;
    return `refined, same seed ${next.seed}, ${plural(next.edits.length, 'edit')}`;
  }
  if (prev && prev.parentId === next.id) return `back to the previous version, seed ${next.seed}`;
  if (next.parentId === null) return `new face, seed ${next.seed}`;
  if (next.origin?.kind === 'photo') return `a face from a photo, ${plural(next.edits.length, 'edit')}`;
  if (next.origin) return `a ${next.origin.kind} of ${next.origin.parts.length} faces, ${plural(next.edits.length, 'edit')}`;
  return `seed ${next.seed}, ${plural(next.edits.length, 'edit')}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
