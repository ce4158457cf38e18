/**
 * The independent appearance check eval:skin grades the appearance words with (src/render/appearance-check.ts),
 * on a tiny stand-in network (training/make_appearance_check_fixture.py: the softmax of 4x each channel's mean).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppearanceCheck } from '../src/render/appearance-check.js';
import { ModelLoadError } from '../src/render/onnx.js';

const dir = new URL('./fixtures/appearance-check/', import.meta.url).pathname;
const model = path.join(dir, 'appearance_check.onnx');

/** Two 16 px faces: the first all red, the second all blue (RGB in [-1, 1], NCHW). */
function redThenBlue() {
  const size = 16;
  const plane = size * size;
  const data = new Float32Array(2 * 3 * plane).fill(-1);
  data.fill(1, 0, plane); // face 0, red
  data.fill(1, 3 * plane + 2 * plane, 3 * plane + 3 * plane); // face 1, blue
  return { data, count: 2, size };
}

describe('AppearanceCheck', () => {
  it('gives each face a probability per class, named as its .json lists them', async () => {
    const check = await AppearanceCheck.load(model, path.join(dir, 'appearance_check.json'), 'cpu');
    try {
      expect(check.classes).toEqual(['Red', 'Green', 'Blue']);
      const [red, blue] = await check.probabilities(redThenBlue());
      expect(red!.Red).toBeGreaterThan(0.9);
      expect(blue!.Blue).toBeGreaterThan(0.9);
      for (const p of [red!, blue!]) expect(p.Red! + p.Green! + p.Blue!).toBeCloseTo(1, 5);
    } finally {
      await check.close();
    }
  });

  it('refuses a model without its class list, saying which file', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'check-'));
    await expect(AppearanceCheck.load(model, path.join(tmp, 'missing.json'), 'cpu')).rejects.toThrow(ModelLoadError);
    writeFileSync(path.join(tmp, 'bad.json'), '{"classes": []}');
    await expect(AppearanceCheck.load(model, path.join(tmp, 'bad.json'), 'cpu')).rejects.toThrow(/bad\.json/);
  });
});
