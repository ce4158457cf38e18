/**
 * What one face may hold, so that one message cannot make every later request (and every PNG) heavy:
 * - at most MAX_EDITS edits: a face's record, its copies and its PNG label carry every edit, and a face
 *   steered from scratch (after a restart, or on another process) replays them all through the closed loop;
 * - the words of each edit are kept up to MAX_STORED_TEXT characters (in the face's history, its caption and
 *   the recipe inside its PNG); the parser reads up to MAX_CHARS of them, and the weights it understood are
 *   kept whole, so cutting the stored words changes nothing about the face.
 * The reply says when words were cut.
 */
export const MAX_STORED_TEXT = 500;
export const MAX_EDITS = 100;

/** The reply to a refine of a face that already has MAX_EDITS edits. */
export function chainFullText(): string {
  return `This face already has ${MAX_EDITS} edits, the most one face keeps (every edit is stored with the face and redrawn with it), so nothing was done. Describe a new face to go on, or undo to an earlier version.`;
}

/** The words as kept: trimmed, and cut to MAX_STORED_TEXT characters (never inside a surrogate pair). */
export function storedText(typed: string): string {
  const text = typed.trim();
  if (text.length <= MAX_STORED_TEXT) return text;
  let cut = text.slice(0, MAX_STORED_TEXT - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** The reply's note when the words were longer than what is kept. */
export function withStoredTextNote(typed: string, notes: string[]): string[] {
  const length = typed.trim().length;
  if (length <= MAX_STORED_TEXT) return notes;
  return [...notes, `your message was ${length.toLocaleString('en')} characters: the face keeps its first ${MAX_STORED_TEXT} as its words (in its history and its PNG)`];
}
