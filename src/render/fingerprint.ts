import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A model file's identity: name, size and the first 12 hex digits of its SHA-256. */
export function fingerprint(file: string): { file: string; bytes: number; sha256: string } {
  const data = fs.readFileSync(file);
  return {
    file: path.basename(file),
    bytes: data.length,
    sha256: crypto.createHash('sha256').update(data).digest('hex').slice(0, 12),
  };
}
