import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHEEK_PATCHES, itaBand, itaOfBatch, itaOfRgb, srgbToLab } from '../src/latent/skin-tone.js';

/** tests/fixtures/skin_tone_ita.json: made by `training/skin_tone.py fixture` (the Python measure). */
const FIXTURE = JSON.parse(readFileSync(new URL('./fixtures/skin_tone_ita.json', import.meta.url), 'utf8')) as {
  patches: number[][][]; ita: number[];
};

/** A 64 px face, zero but for the cheek patches. */
function face(patches: number[][]): Uint8Array {
  const rgb = new Uint8Array(64 * 64 * 3);
  CHEEK_PATCHES.forEach(([y0, y1, x0, x1], k) => {
    let i = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++) rgb[3 * (y * 64 + x) + c] = patches[k]![i++]!;
  });
  return rgb;
}

describe('skin tone (ITA)', () => {
  it('agrees with training/skin_tone.py on the fixture faces', () => {
    FIXTURE.patches.forEach((p, i) => expect(itaOfRgb(face(p), 64)).toBeCloseTo(FIXTURE.ita[i]!, 2));
  });

  it('orders lighter skin higher, and names the bands', () => {
    const values = FIXTURE.patches.map((p) => itaOfRgb(face(p), 64));
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeLessThan(values[i - 1]!);
    expect(itaBand(values[0]!)).toBe('very light');
    expect(itaBand(values[values.length - 1]!)).toBe('dark');
    expect(itaBand(30)).toBe('intermediate');
  });

  it('converts sRGB to CIELAB (white, black, a known skin colour)', () => {
    expect(srgbToLab(255, 255, 255)[0]).toBeCloseTo(100, 1);
    expect(srgbToLab(0, 0, 0)[0]).toBeCloseTo(0, 5);
    const [l, a, b] = srgbToLab(200, 150, 120);
    expect(l).toBeCloseTo(66.3, 0);
    expect(a).toBeGreaterThan(10);
    expect(b).toBeGreaterThan(15);
  });

  it('reads a batch as G draws it (NCHW in [-1, 1]), scaling the patches with the size', () => {
    const size = 128;
    const data = new Float32Array(2 * 3 * size * size);
    const fill = (n: number, rgb: number[]) => {
      for (let c = 0; c < 3; c++) data.fill(rgb[c]! / 127.5 - 1, (n * 3 + c) * size * size, (n * 3 + c + 1) * size * size);
    };
    fill(0, [220, 180, 160]);
    fill(1, [110, 75, 55]);
    const [light, dark] = itaOfBatch({ data, count: 2, size });
    const flat = (r: number, g: number, b: number) => { const [l, , bb] = srgbToLab(r, g, b); return (Math.atan2(l - 50, bb) * 180) / Math.PI; };
    expect(light!).toBeCloseTo(flat(220, 180, 160), 1);
    expect(dark!).toBeCloseTo(flat(110, 75, 55), 1);
    expect(light!).toBeGreaterThan(dark! + 30);
  });
});
