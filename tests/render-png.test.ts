import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator, type ImageBatch } from '../src/render/generator.js';
import { encodePng, encodePngReference, fastPathFits, toRgbBytes, upscaledScanlines } from '../src/render/png.js';

/** Decoded RGB bytes of a PNG, with its size. */
async function pixels(png: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function maxAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** A batch of `count` noisy images (the worst case for the upscale's overshoot and clipping), with NaN and ±Infinity too. */
function noiseBatch(count: number, size: number, seed: number): ImageBatch {
  const data = new Float32Array(count * 3 * size * size);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    data[i] = (s / 0x7fffffff) * 2.6 - 1.3;
  }
  data.set([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 1, 0], 3);
  return { data, count, size };
}

/** Asserts that every image of the batch decodes to the same pixels through both paths, at each size. */
async function expectSamePixels(batch: ImageBatch, sizes: number[]): Promise<void> {
  for (const size of sizes) {
    for (let i = 0; i < batch.count; i++) {
      const [fast, ref] = await Promise.all([encodePng(batch, i, size), encodePngReference(batch, i, size)]);
      const [a, b] = await Promise.all([pixels(fast), pixels(ref)]);
      expect([a.width, a.height, a.channels], `size ${size}`).toEqual([size, size, 3]);
      expect(maxAbsDiff(a.data, b.data), `image ${i} of ${batch.size} px at ${size} px`).toBe(0);
    }
  }
}

describe('PNG encoding', () => {
  let g: Generator;
  beforeAll(async () => {
    g = await Generator.load(path.resolve('tests/fixtures/models/generator.onnx'), 'cpu');
  });
  afterAll(async () => g?.close());

  it('draws the same pixels as the sharp reference path (fixture generator, 16 px)', async () => {
    const latents = [0.3, -1.2, 2].map((v, i) => Float32Array.from({ length: g.zDim }, (_, k) => v * Math.sin(k + i)));
    const batch = await g.generate(latents);
    expect(batch.size).toBe(16);
    await expectSamePixels(batch, [16, 32, 64, 256]);
  });

  it('draws the same pixels as the reference path on noise, NaN and out-of-range values, at every power-of-two scale', async () => {
    await expectSamePixels(noiseBatch(2, 8, 7), [8, 16, 32, 64, 128, 256, 512]);
    await expectSamePixels(noiseBatch(2, 5, 11), [5, 10, 20, 40, 160]);
    await expectSamePixels(noiseBatch(1, 64, 3), [128, 256]);
  });

  it('leaves other sizes to sharp: the same bytes as the reference path', async () => {
    const batch = noiseBatch(1, 16, 5);
    for (const size of [48, 24, 8, 17]) {
      expect(fastPathFits(16, size)).toBe(false);
      expect((await encodePng(batch, 0, size)).equals(await encodePngReference(batch, 0, size))).toBe(true);
    }
    expect([16, 32, 64, 256, 1024].every((s) => fastPathFits(16, s))).toBe(true);
    expect(fastPathFits(64, 256)).toBe(true);
  });

  it('writes a well-formed PNG: signature, IHDR, IDAT, IEND, each chunk with its CRC', async () => {
    const png = await encodePng(noiseBatch(1, 8, 9), 0, 32);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const types: string[] = [];
    for (let at = 8; at < png.length; ) {
      const len = png.readUInt32BE(at);
      const type = png.toString('latin1', at + 4, at + 8);
      expect(png.readUInt32BE(at + 8 + len), `${type} CRC`).toBe(zlib.crc32(png.subarray(at + 4, at + 8 + len)));
      types.push(type);
      at += 12 + len;
    }
    expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels, meta.depth]).toEqual(['png', 32, 32, 3, 'uchar']);
  });

  it('stores the upscaled scanlines (filter Up) as one valid zlib stream', async () => {
    const batch = noiseBatch(2, 16, 21);
    const png = await encodePng(batch, 1, 64);
    const idat = png.subarray(8 + 25 + 8, png.length - 12 - 4); // after the signature, IHDR and IDAT's length and type
    const scanlines = zlib.inflateSync(idat); // checks the Adler-32 too
    expect(scanlines.equals(upscaledScanlines(batch, 1, 64))).toBe(true);
    expect(scanlines.length).toBe(64 * (3 * 64 + 1));
    expect(Array.from({ length: 64 }, (_, y) => scanlines[y * (3 * 64 + 1)])).toEqual(new Array(64).fill(2));
  });

  it('writes the same bytes without zlib.crc32 (Node before 20.15)', async () => {
    const batch = noiseBatch(1, 8, 9);
    const withZlib = await encodePng(batch, 0, 32);
    const z = zlib as { crc32?: unknown };
    const native = z.crc32;
    z.crc32 = undefined;
    try {
      expect((await encodePng(batch, 0, 32)).equals(withZlib)).toBe(true);
    } finally {
      z.crc32 = native;
    }
  });

  it('toRgbBytes maps [-1, 1] to 0..255 (rounded, clipped; NaN is 0) and interleaves the channels', () => {
    const batch: ImageBatch = { data: Float32Array.from([-1, 0, 1, 2, -2, Number.NaN, 0.5, -0.5, 0.003, 0.004, 0.9, -0.9]), count: 1, size: 2 };
    expect([...toRgbBytes(batch, 0)]).toEqual([0, 0, 128, 128, 0, 128, 255, 191, 242, 255, 64, 13]);
    // The loop it replaced, pixel by pixel.
    const noise = noiseBatch(2, 8, 13);
    const plane = 64;
    const before = Buffer.alloc(3 * plane);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) {
        const v = (noise.data[3 * plane + c * plane + p]! + 1) * 127.5;
        before[3 * p + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
    }
    expect(toRgbBytes(noise, 1).equals(before)).toBe(true);
  });
});
