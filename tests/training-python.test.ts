import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The training campaign's pure-Python checks (no torch, each well under a second): the oversampling weights
 * G trains with (sampling.py), the dark-eyed copies the South_Asian probe learns beside (eye_patches.py), the asked-for yardstick's rule and reference (asked_for.py) and its appearance
 * set's references (test_asked_for_appearance.py, which also exports a tiny network with onnx), the appearance
 * readers the campaign oversamples by (test_appearance_scores.py: F's trunk, the cache, who G draws), and what
 * `campaign.py keep` warns about, and the identity network's people split, pairs, margin and metrics
 * (test_identity.py). They need numpy (.ci/run installs Debian's python3-numpy and python3-pil) and,
 * for the two that import training/common.py, torch (the campaign's install); where missing they say so and skip.
 */
const PYTHON = '/usr/bin/python3';
const TRAINING = fileURLToPath(new URL('../training', import.meta.url));

function has(modules: string): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${modules}`], { encoding: 'utf8' }).status === 0;
}

// what each script imports: sampling.py needs numpy only; asked_for.py and campaign.py import training/common.py (torch);
// the appearance set's test reads an exported network with onnx
describe.each([
  ['test_sampling.py', 'numpy'],
  ['test_eye_patches.py', 'numpy, PIL'],
  ['test_asked_for.py', 'numpy, PIL, torch'],
  ['test_asked_for_appearance.py', 'numpy, PIL, torch, onnx'],
  ['test_appearance_scores.py', 'numpy, PIL, torch, onnx'],
  ['test_campaign.py', 'numpy, PIL, torch'],
  ['test_identity.py', 'numpy, PIL, torch'],
])('training/%s', (script, modules) => {
  it('passes', (ctx) => {
    if (!has(modules)) ctx.skip(`${PYTHON} lacks ${modules} (Debian: python3-numpy python3-pil python3-torch)`);
    const r = spawnSync(PYTHON, [script], { cwd: TRAINING, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/Traceback/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/passed, 0 failed|^ok:/m);
  });
});
