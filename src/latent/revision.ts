/**
 * The steering's revision, stored with each face as part of the models version (src/render/models.ts,
 * modelsVersion: `…/e:N`). Faces are stored as a seed and edits and redrawn on every request, so a change to how
 * the words steer the face (the closed loop, the seed search, the holds) redraws stored faces differently even
 * with the same model files. Raise it with every change that draws other faces for the same seed, words and models,
 * and say here what changed; a face stored under another revision is redrawn with a note that says so
 * (src/conversation/engine.ts, olderModelNote).
 *
 * 1 (2026-12-07): "south asian" asked for with other words is drawn last (./appearance-last.ts). Faces stored
 *   before revisions were recorded carry no `e:` and were drawn by the steering of their day.
 * 2 (2026-12-07): every edit holds the expression unless its words name it (./edit.ts, HELD_BY_DEFAULT).
 * 3 (2026-12-07): a gender asked with an older face is asked more clearly (./edit.ts, OLDER_GENDER_FIRMNESS).
 * 4 (2026-12-08): "black", "east asian" and "south asian" hold the age firmly (./edit.ts, HOLDS_AGE_FIRMLY).
 * 5 (2026-12-08): an edit that asks for an age is held to the person within a wider band (./identity-hold.ts, AGE_BAND_FACTOR).
 */
export const STEERING_REVISION = 5;

const REVISION_PART = /\/e:\d+$/;

/** A models version without its steering revision (a version stored before revisions has none). */
export function withoutRevision(version: string): string {
  return version.replace(REVISION_PART, '');
}
