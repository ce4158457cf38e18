/** Questions the parser asks about the words just ahead of a position. */
import type { Input } from './match.js';

/** Does a feature (not a person noun) start at j, after at most two degree or size words? */
export function startsFeature(input: Input, j: number): boolean {
  for (let hops = 0; hops < 3; hops++) {
    const m = input.at(j);
    if (!m) return false;
    const mm = m.meanings;
    if ((mm.term && !mm.term.person) || mm.colour) return true;
    if (mm.degree === undefined && mm.adjective === undefined) return false;
    j = m.end;
  }
  return false;
}

/** Is a feature that size words can scale ("beard", "smile") just ahead, past colours and other size words? */
export function sizeNounAhead(input: Input, j: number): boolean {
  for (let hops = 0; hops < 4; hops++) {
    const m = input.at(j);
    if (!m) return false;
    const mm = m.meanings;
    if (mm.term && !mm.term.person && (mm.term.sizeNoun || mm.term.hairWord)) return true;
    if (mm.colour === undefined && mm.adjective === undefined && mm.degree === undefined) return false;
    j = m.end;
  }
  return false;
}
