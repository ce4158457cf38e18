/**
 * Why an uploaded photo cannot be turned into a face, in words for the person who sent it. Nothing is stored
 * when a photo is refused: the refusal comes before any face record is made.
 */
export type RefusalReason = 'too-large' | 'not-an-image' | 'too-small-image' | 'no-face' | 'several-faces' | 'face-too-small';

export class PhotoRefusal extends Error {
  override name = 'PhotoRefusal';
  constructor(readonly reason: RefusalReason, message: string) {
    super(message);
  }
}

/** "8 MB", "512 KB": a byte count for people. */
export function bytesForPeople(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}
