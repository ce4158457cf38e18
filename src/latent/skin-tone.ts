/**
 * Skin tone as a measured number: ITA, the individual typology angle (Chardon et al. 1991), of a face's cheeks,
 * on the pixels a face is drawn with. The same measure as training/skin_tone.py (tests/skin-tone.test.ts checks
 * the two agree), which explains the region and why there is no lighting correction (docs/skin-tone.md).
 *
 * ITA = atan2(L* - 50, b*) in degrees, from CIELAB (D65) lightness L* and yellow-blue b*: higher is lighter.
 * Region: two 6x6 cheek patches in the 64 px training framing (scaled for another size), each patch's median
 * L* and b*, the two patches averaged.
 */
import type { ImageBatch } from '../render/generator.js';
import { toRgbBytes } from '../render/png.js';

/** [y0, y1, x0, x1) in the 64 px frame: yardstick.py's CHEEKS. */
export const CHEEK_PATCHES: ReadonlyArray<readonly [number, number, number, number]> = [[36, 42, 19, 25], [36, 42, 39, 45]];

/** The bands of training/yardstick.py, lightest first: [name, lower bound in degrees]. */
export const ITA_BANDS: ReadonlyArray<readonly [string, number]> = [
  ['very light', 55], ['light', 41], ['intermediate', 28], ['tan', 10], ['brown', -30], ['dark', -Infinity],
];

export function itaBand(ita: number): string {
  return ITA_BANDS.find(([, lower]) => ita > lower)?.[0] ?? 'dark';
}

const M = [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.072175], [0.0193339, 0.119192, 0.9503041]] as const;
const WHITE = [0.95047, 1, 1.08883] as const;

function linear(c: number): number {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

function f(t: number): number {
  return t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29;
}

/** sRGB bytes -> CIELAB [L*, a*, b*] (D65). */
export function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  const rgb = [linear(r), linear(g), linear(b)];
  const [fx, fy, fz] = M.map((row, i) => f((row[0] * rgb[0]! + row[1] * rgb[1]! + row[2] * rgb[2]!) / WHITE[i]!)) as [number, number, number];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** ITA in degrees of interleaved RGB bytes of a size x size face in the training framing. */
export function itaOfRgb(rgb: Uint8Array, size: number): number {
  const scale = size / 64;
  let l = 0;
  let b = 0;
  for (const [y0, y1, x0, x1] of CHEEK_PATCHES) {
    const ls: number[] = [];
    const bs: number[] = [];
    for (let y = Math.round(y0 * scale); y < Math.round(y1 * scale); y++) {
      for (let x = Math.round(x0 * scale); x < Math.round(x1 * scale); x++) {
        const o = 3 * (y * size + x);
        const lab = srgbToLab(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!);
        ls.push(lab[0]);
        bs.push(lab[2]);
      }
    }
    l += median(ls) / CHEEK_PATCHES.length;
    b += median(bs) / CHEEK_PATCHES.length;
  }
  return (Math.atan2(l - 50, Math.max(b, 1e-6)) * 180) / Math.PI;
}

/** ITA of each face G drew (the same bytes the PNG gets). */
export function itaOfBatch(batch: ImageBatch): number[] {
  return Array.from({ length: batch.count }, (_, i) => itaOfRgb(toRgbBytes(batch, i), batch.size));
}
