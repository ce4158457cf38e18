import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { composeGrid } from '../src/conversation/grid.js';

/** Issue 27: the four-up grid shows the numbers /pick, /vary and the buttons use (1 2 / 3 4). */

const grey = () => sharp({ create: { width: 128, height: 128, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();

describe('the grid of four', () => {
  it('numbers each tile in its corner, with a different mark on each, and leaves the face itself alone', async () => {
    const png = await composeGrid(await Promise.all([grey(), grey(), grey(), grey()]));
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const tile = (info.width - 4) / 2;
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    const corners = [0, 1, 2, 3].map((i) => {
      const x0 = (i % 2) * (tile + 4);
      const y0 = Math.floor(i / 2) * (tile + 4);
      const pixels: number[] = [];
      for (let y = 0; y < tile / 4; y++) for (let x = 0; x < tile / 4; x++) pixels.push(at(x0 + x, y0 + y));
      // the middle and far corner of the tile: the face as drawn
      expect(at(x0 + tile / 2, y0 + tile / 2)).toBe(128);
      expect(at(x0 + tile - 2, y0 + tile - 2)).toBe(128);
      return pixels;
    });
    for (const pixels of corners) {
      expect(pixels.filter((v) => v > 200).length, 'white strokes of the digit').toBeGreaterThan(10);
      expect(pixels.filter((v) => v < 60).length, 'the dark badge behind it').toBeGreaterThan(10);
    }
    for (let a = 0; a < 4; a++) {
      for (let b = a + 1; b < 4; b++) {
        const differing = corners[a]!.filter((v, k) => Math.abs(v - corners[b]![k]!) > 100).length;
        expect(differing, `tiles ${a + 1} and ${b + 1} carry different numbers`).toBeGreaterThan(10);
      }
    }
  });
});
