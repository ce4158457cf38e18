import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTES } from '../src/face/attributes.js';

/**
 * F's 40 outputs are named on both sides: src/face/attributes.ts (TypeScript reads the logits by index)
 * and training/celeba_attributes.py (Python trains F, checks the CelebA header and writes the metrics).
 * The two lists must name the same attributes in the same order, or every edit would steer the wrong axis.
 */
const PYTHON = '/usr/bin/python3';
const TRAINING = fileURLToPath(new URL('../training', import.meta.url));

function pythonAttributes(): string[] {
  // the module imports no torch or numpy, so this takes well under a second
  const r = spawnSync(PYTHON, ['-c', 'import json, sys; sys.path.insert(0, sys.argv[1]); ' +
    'from celeba_attributes import ATTRIBUTES; print(json.dumps(ATTRIBUTES))', TRAINING], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${PYTHON} could not import training/celeba_attributes.py: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout) as string[];
}

describe('attribute lists', () => {
  it('TypeScript and Python name the same 40 attributes in the same order', (ctx) => {
    if (!existsSync(PYTHON)) ctx.skip(`${PYTHON} is missing: the Python list cannot be read (install python3)`);
    const py = pythonAttributes();
    expect(py).toHaveLength(40);
    expect([...ATTRIBUTES]).toEqual(py);
  });

  it('Python has one copy of the list', () => {
    // any training/*.py that spells the attribute names out is a second copy to drift: import the one list instead
    const copies = readdirSync(TRAINING)
      .filter((f) => f.endsWith('.py'))
      .filter((f) => /["']5_o_Clock_Shadow["']/.test(readFileSync(path.join(TRAINING, f), 'utf8')));
    expect(copies).toEqual(['celeba_attributes.py']);
  });
});
