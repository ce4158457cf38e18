/** A face id and its owner. */
export interface FaceOwner {
  id: string;
  owner: string;
}

/**
 * The faces made from `own`, owned by anyone but counted apart from `own`: what `madeFrom(id)` names (a face's
 * children by parentId, and the mixes and analogies whose origin names it), then what is made from those, until
 * nothing new turns up. Returns id -> owner for the faces not in `own`. Used by forgetUser in every store, so a
 * forgotten user's words and latent leave no copy behind (docs/forget.md).
 */
export function derivedFaces(own: readonly string[], madeFrom: (id: string) => readonly FaceOwner[]): Map<string, string> {
  const seen = new Set(own);
  const others = new Map<string, string>();
  const frontier = [...own];
  while (frontier.length > 0) {
    for (const face of madeFrom(frontier.pop()!)) {
      if (seen.has(face.id)) continue;
      seen.add(face.id);
      others.set(face.id, face.owner);
      frontier.push(face.id);
    }
  }
  return others;
}

/** The same walk for a store whose look-ups are asynchronous (PostgreSQL). */
export async function derivedFacesAsync(own: readonly string[], madeFrom: (id: string) => Promise<readonly FaceOwner[]>): Promise<Map<string, string>> {
  const seen = new Set(own);
  const others = new Map<string, string>();
  const frontier = [...own];
  while (frontier.length > 0) {
    for (const face of await madeFrom(frontier.pop()!)) {
      if (seen.has(face.id)) continue;
      seen.add(face.id);
      others.set(face.id, face.owner);
      frontier.push(face.id);
    }
  }
  return others;
}
