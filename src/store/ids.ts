import { randomBytes } from 'node:crypto';

/**
 * A short, URL-safe, practically unique id: 12 characters of base64url (72 random bits), never starting
 * with '-' or '_' so that it is also a comfortable file name (faces are saved as <id>.png).
 */
export function newFaceId(): string {
  for (;;) {
    const id = randomBytes(9).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}
