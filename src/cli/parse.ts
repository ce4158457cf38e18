/**
 * npm run --silent parse -- "older man, smiling, more beard"
 *   prints one JSON object: {"weights": {...}, "mode": {...}, "locks": [...], "unknown": [...], "notes": [...]}, plus
 *   "truncation" and "typicality" when the words ask for a more typical or unusual face
 * With no text argument, reads stdin line by line and prints one JSON line per input line
 * (an empty line gives an empty result). Nothing else goes to stdout.
 */
import { createInterface } from 'node:readline';
import { parseDescription } from '../grammar/index.js';

function toJson(text: string): string {
  const r = parseDescription(text);
  const typical = r.truncation === undefined ? {} : { truncation: r.truncation, typicality: r.typicality };
  return JSON.stringify({ weights: r.weights, mode: r.mode, locks: r.locks, unknown: r.unknown, notes: r.notes, ...typical });
}

async function main(): Promise<void> {
  // A closed pipe (`| head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift();
  if (args.length > 0) {
    process.stdout.write(`${toJson(args.join(' '))}\n`);
    return;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!process.stdout.write(`${toJson(line)}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`parse: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
