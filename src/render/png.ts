import { promisify } from 'node:util';
import zlib from 'node:zlib';
import sharp from 'sharp';
import type { ImageBatch } from './generator.js';
import { chunk, PNG_SIGNATURE as SIGNATURE } from './png-chunks.js';

/*
 * Generator output (NCHW float in [-1, 1]) -> PNG.
 *
 * The reference path (encodePngReference) hands 8-bit RGB to sharp: resize(kernel 'lanczos3') and
 * png({ compressionLevel: 6 }). When sharp (libvips) *enlarges*, the kernel is not used: vips_resize
 * upsizes with vips_affine and the bicubic (Catmull-Rom) interpolator, in 12-bit fixed point, for every
 * kernel but nearest and linear. encodePng computes exactly that upscale in JS for the sizes the bot
 * uses (the output side is the generator's side times a power of two: 64 -> 128, 256, 512, ...), then
 * writes the PNG itself: each scanline with PNG filter Up, compressed by zlib off the main thread.
 * The decoded pixels are the same bytes as the reference path's: tests/render-png.test.ts compares them
 * with sharp's (0.35, libvips 8.18), so a sharp upgrade that changed the upscale would fail there;
 * at 256 px the file is about 40 % smaller and the encode takes about a third of the CPU time.
 * Other sizes take the reference path.
 */

const deflate = promisify(zlib.deflate);

/**
 * zlib settings for the fast path. After the Up filter most bytes are small numbers, and Huffman coding
 * alone (no match search) is the quickest deflate that still makes a file 40 % smaller than sharp's
 * level 6 (88 KiB against 147 KiB a face at 256 px). Run-length matching (Z_RLE, 79 KiB) costs about 20 %
 * more CPU, level 1 (70 KiB) about 45 % more.
 */
const DEFLATE: zlib.ZlibOptions = { level: 1, strategy: zlib.constants.Z_HUFFMAN_ONLY };

/** The float -> byte mapping shared by both paths. */
function toByte(x: number): number {
  const v = (x + 1) * 127.5;
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** One image of a batch as interleaved RGB bytes. */
export function toRgbBytes(batch: ImageBatch, index: number): Buffer {
  return rgbInto(batch, index, Buffer.allocUnsafe(3 * batch.size * batch.size));
}

/** toRgbBytes into `out` (at least 3 * size * size bytes), one pass per channel. */
function rgbInto<T extends Uint8Array>(batch: ImageBatch, index: number, out: T): T {
  const { size, data } = batch;
  const plane = size * size;
  const base = index * 3 * plane;
  for (let c = 0; c < 3; c++) {
    const from = base + c * plane;
    for (let p = 0, o = c; p < plane; p++, o += 3) out[o] = toByte(data[from + p]!);
  }
  return out;
}

/**
 * libvips' bicubic interpolation, as used by vips_affine when vips_resize enlarges an 8-bit image
 * (resample/bicubic.cpp, templates.h): output pixel X samples input position X * (in / out) - 0.5
 * (resize's input offset idx = 0.5), the fraction is looked up in a table of 64 + 1 Catmull-Rom masks
 * (VIPS_TRANSFORM_SCALE) held as ints scaled by 4096 (VIPS_INTERPOLATE_SCALE, truncated), edge pixels
 * repeat (extend copy), and the 4x4 sum is separable: each of the 4 rows is rounded ((v + 2048) >> 12)
 * before the column pass, which is rounded the same way and clipped to 0..255.
 *
 * With a power-of-two ratio every position is an exact multiple of 1/64, so the table index is the
 * fraction itself and this is exact; other ratios are left to sharp.
 */
interface Axis {
  /** The 4 source indices (clamped to the image) for each output index, 4 per entry. */
  taps: Int32Array;
  /** The 4 fixed-point coefficients for each output index. */
  coeffs: Int32Array;
}

const INTERPOLATE_SHIFT = 12;
const INTERPOLATE_SCALE = 1 << INTERPOLATE_SHIFT;
const TRANSFORM_SCALE = 64;
const ROUND = INTERPOLATE_SCALE >> 1;

/** calculate_coefficients_catmull (templates.h), same operations in the same order, scaled and truncated. */
function catmullRom(x: number): [number, number, number, number] {
  const cr1 = 1 - x;
  const cr2 = -0.5 * x;
  const cr3 = cr1 * cr2;
  const cone = cr1 * cr3;
  const cfou = x * cr3;
  const cr4 = cfou - cone;
  const ctwo = cr1 - cone + cr4;
  const cthr = x - cfou - cr4;
  return [cone, ctwo, cthr, cfou].map((c) => Math.trunc(c * INTERPOLATE_SCALE)) as [number, number, number, number];
}

const axes = new Map<string, Axis>();

function axis(from: number, to: number): Axis {
  const key = `${from}>${to}`;
  let a = axes.get(key);
  if (a) return a;
  const taps = new Int32Array(4 * to);
  const coeffs = new Int32Array(4 * to);
  const step = from / to;
  for (let o = 0; o < to; o++) {
    const x = o * step - 0.5;
    const ix = Math.floor(x);
    const c = catmullRom(Math.round((x - ix) * TRANSFORM_SCALE) / TRANSFORM_SCALE);
    for (let k = 0; k < 4; k++) {
      taps[4 * o + k] = Math.min(from - 1, Math.max(0, ix - 1 + k));
      coeffs[4 * o + k] = c[k]!;
    }
  }
  a = { taps, coeffs };
  axes.set(key, a);
  return a;
}

/** Whether encodePng computes `size` itself: the same side, or the side times 2, 4, ... 64. */
export function fastPathFits(sourceSize: number, size: number): boolean {
  if (!Number.isInteger(size) || size < sourceSize || size % sourceSize !== 0) return false;
  const ratio = size / sourceSize;
  return ratio <= TRANSFORM_SCALE && (ratio & (ratio - 1)) === 0;
}

/**
 * The PNG scanlines (filter byte + RGB) of one image of the batch upscaled to `size` (fastPathFits), every
 * line with PNG filter Up (the difference from the line above: an enlarged face changes slowly down the
 * picture, so the differences are small numbers that deflate compresses well and quickly).
 */
export function upscaledScanlines(batch: ImageBatch, index: number, size: number): Buffer {
  const n = batch.size;
  const stride = 3 * size;
  const out = Buffer.allocUnsafe((stride + 1) * size);
  const rgb = rgbInto(batch, index, scratch.get('rgb', 3 * n * n, Uint8Array));
  if (size === n) {
    upFilter(rgb, stride, size, out);
    return out;
  }
  const { taps, coeffs } = axis(n, size);
  const rows = scratch.get('rows', n * stride, Int32Array);
  const lines = scratch.get('lines', 2 * stride, Uint8Array);
  if (size === 4 * n) {
    horizontalPass4(rgb, n, coeffs, rows);
    verticalPassUp4(rows, n, coeffs, lines, out);
  } else {
    horizontalPass(rgb, n, size, taps, coeffs, rows);
    verticalPassUp(rows, size, taps, coeffs, lines, out);
  }
  return out;
}

// The loops below are small functions of typed arrays only, so that V8 optimizes each one whole.

/** `size` lines of `stride` bytes -> PNG scanlines with filter Up. */
function upFilter(px: Uint8Array, stride: number, size: number, out: Uint8Array): void {
  for (let y = 0; y < size; y++) {
    const o = y * (stride + 1) + 1;
    const cur = y * stride;
    out[o - 1] = 2; // Up
    if (y === 0) for (let i = 0; i < stride; i++) out[o + i] = px[i]!;
    else for (let i = 0; i < stride; i++) out[o + i] = px[cur + i]! - px[cur - stride + i]!; // stored modulo 256
  }
}

/** n rows of n RGB pixels -> n rows of `size` RGB values, rounded but not clipped (as in bicubic_unsigned_int). */
function horizontalPass(rgb: Uint8Array, n: number, size: number, taps: Int32Array, coeffs: Int32Array, rows: Int32Array): void {
  const round = ROUND; // locals: V8 folds them into the loops
  const shift = INTERPOLATE_SHIFT;
  const srcStride = 3 * n;
  let d = 0;
  for (let y = 0; y < n; y++) {
    const s = y * srcStride;
    for (let x = 0, t = 0; x < size; x++, t += 4) {
      const a = s + 3 * taps[t]!;
      const b = s + 3 * taps[t + 1]!;
      const e = s + 3 * taps[t + 2]!;
      const f = s + 3 * taps[t + 3]!;
      const c0 = coeffs[t]!;
      const c1 = coeffs[t + 1]!;
      const c2 = coeffs[t + 2]!;
      const c3 = coeffs[t + 3]!;
      if (c1 === INTERPOLATE_SCALE && c0 === 0 && c2 === 0 && c3 === 0) {
        // On a source pixel (fraction 0): the sum would be that pixel, exactly.
        rows[d++] = rgb[b]!;
        rows[d++] = rgb[b + 1]!;
        rows[d++] = rgb[b + 2]!;
        continue;
      }
      rows[d++] = (c0 * rgb[a]! + c1 * rgb[b]! + c2 * rgb[e]! + c3 * rgb[f]! + round) >> shift;
      rows[d++] = (c0 * rgb[a + 1]! + c1 * rgb[b + 1]! + c2 * rgb[e + 1]! + c3 * rgb[f + 1]! + round) >> shift;
      rows[d++] = (c0 * rgb[a + 2]! + c1 * rgb[b + 2]! + c2 * rgb[e + 2]! + c3 * rgb[f + 2]! + round) >> shift;
    }
  }
}

/**
 * The column pass, rounded and clipped to 0..255, written as PNG scanlines with filter Up against the
 * line before (zeros above the first). `lines` holds the last two unfiltered lines.
 */
function verticalPassUp(rows: Int32Array, size: number, taps: Int32Array, coeffs: Int32Array, lines: Uint8Array, out: Uint8Array): void {
  const round = ROUND; // locals: V8 folds them into the loops
  const shift = INTERPOLATE_SHIFT;
  const stride = 3 * size;
  lines.fill(0, 0, stride);
  for (let y = 0, t = 0; y < size; y++, t += 4) {
    const r0 = taps[t]! * stride;
    const r1 = taps[t + 1]! * stride;
    const r2 = taps[t + 2]! * stride;
    const r3 = taps[t + 3]! * stride;
    const c0 = coeffs[t]!;
    const c1 = coeffs[t + 1]!;
    const c2 = coeffs[t + 2]!;
    const c3 = coeffs[t + 3]!;
    const o = y * (stride + 1) + 1;
    const prev = (y & 1) * stride;
    const cur = stride - prev;
    out[o - 1] = 2; // Up
    if (c1 === INTERPOLATE_SCALE && c0 === 0 && c2 === 0 && c3 === 0) {
      // A line on a source row (fraction 0: mask 0, 1, 0, 0); the sum would be that row, exactly.
      for (let i = 0; i < stride; i++) {
        const v = rows[r1 + i]!;
        const p = v < 0 ? 0 : v > 255 ? 255 : v;
        lines[cur + i] = p;
        out[o + i] = p - lines[prev + i]!;
      }
      continue;
    }
    for (let i = 0; i < stride; i++) {
      const v = (c0 * rows[r0 + i]! + c1 * rows[r1 + i]! + c2 * rows[r2 + i]! + c3 * rows[r3 + i]! + round) >> shift;
      const p = v < 0 ? 0 : v > 255 ? 255 : v;
      lines[cur + i] = p;
      out[o + i] = p - lines[prev + i]!; // stored modulo 256
    }
  }
}

/*
 * The same passes for the usual 4x enlargement (64 -> 256 px), one source pixel (row) at a time: output
 * pixels 4j .. 4j + 3 sample source positions j - 1/2, j - 1/4, j and j + 1/4, so the first two use
 * source pixels j - 2 .. j + 1, the last two j - 1 .. j + 2 (edges repeat), and the third is pixel j
 * itself (mask 0, 1, 0, 0). Loading the five pixels once for four outputs, and taking the line above from
 * a register for the Up filter, halves the work. The masks are the axis' own (outputs 0, 1 and 3).
 */

function horizontalPass4(rgb: Uint8Array, n: number, coeffs: Int32Array, rows: Int32Array): void {
  const round = ROUND; // locals: V8 folds them into the loops
  const shift = INTERPOLATE_SHIFT;
  const [p0, p1, p2, p3] = [coeffs[0]!, coeffs[1]!, coeffs[2]!, coeffs[3]!];
  const [q0, q1, q2, q3] = [coeffs[4]!, coeffs[5]!, coeffs[6]!, coeffs[7]!];
  const [r0, r1, r2, r3] = [coeffs[12]!, coeffs[13]!, coeffs[14]!, coeffs[15]!];
  const srcStride = 3 * n;
  const last = n - 1;
  for (let y = 0; y < n; y++) {
    const s = y * srcStride;
    let d = 12 * n * y;
    for (let j = 0; j < n; j++) {
      const ia = s + 3 * (j < 2 ? 0 : j - 2);
      const ib = s + 3 * (j < 1 ? 0 : j - 1);
      const ic = s + 3 * j;
      const id = s + 3 * (j + 1 > last ? last : j + 1);
      const ie = s + 3 * (j + 2 > last ? last : j + 2);
      for (let c = 0; c < 3; c++) {
        const a = rgb[ia + c]!;
        const b = rgb[ib + c]!;
        const m = rgb[ic + c]!;
        const e = rgb[id + c]!;
        const f = rgb[ie + c]!;
        rows[d + c] = (p0 * a + p1 * b + p2 * m + p3 * e + round) >> shift;
        rows[d + 3 + c] = (q0 * a + q1 * b + q2 * m + q3 * e + round) >> shift;
        rows[d + 6 + c] = m;
        rows[d + 9 + c] = (r0 * b + r1 * m + r2 * e + r3 * f + round) >> shift;
      }
      d += 12;
    }
  }
}

function verticalPassUp4(rows: Int32Array, n: number, coeffs: Int32Array, lines: Uint8Array, out: Uint8Array): void {
  const round = ROUND; // locals: V8 folds them into the loops
  const shift = INTERPOLATE_SHIFT;
  const [p0, p1, p2, p3] = [coeffs[0]!, coeffs[1]!, coeffs[2]!, coeffs[3]!];
  const [q0, q1, q2, q3] = [coeffs[4]!, coeffs[5]!, coeffs[6]!, coeffs[7]!];
  const [r0, r1, r2, r3] = [coeffs[12]!, coeffs[13]!, coeffs[14]!, coeffs[15]!];
  const stride = 12 * n;
  const line = stride + 1;
  const last = n - 1;
  lines.fill(0, 0, stride); // the line above the first: zeros
  for (let j = 0; j < n; j++) {
    const ra = (j < 2 ? 0 : j - 2) * stride;
    const rb = (j < 1 ? 0 : j - 1) * stride;
    const rc = j * stride;
    const rd = (j + 1 > last ? last : j + 1) * stride;
    const re = (j + 2 > last ? last : j + 2) * stride;
    const o0 = 4 * j * line + 1;
    const o1 = o0 + line;
    const o2 = o1 + line;
    const o3 = o2 + line;
    out[o0 - 1] = 2; // Up
    out[o1 - 1] = 2;
    out[o2 - 1] = 2;
    out[o3 - 1] = 2;
    for (let i = 0; i < stride; i++) {
      const a = rows[ra + i]!;
      const b = rows[rb + i]!;
      const c = rows[rc + i]!;
      const d = rows[rd + i]!;
      const e = rows[re + i]!;
      let v0 = (p0 * a + p1 * b + p2 * c + p3 * d + round) >> shift;
      v0 = v0 < 0 ? 0 : v0 > 255 ? 255 : v0;
      let v1 = (q0 * a + q1 * b + q2 * c + q3 * d + round) >> shift;
      v1 = v1 < 0 ? 0 : v1 > 255 ? 255 : v1;
      const v2 = c < 0 ? 0 : c > 255 ? 255 : c;
      let v3 = (r0 * b + r1 * c + r2 * d + r3 * e + round) >> shift;
      v3 = v3 < 0 ? 0 : v3 > 255 ? 255 : v3;
      out[o0 + i] = v0 - lines[i]!; // stored modulo 256
      out[o1 + i] = v1 - v0;
      out[o2 + i] = v2 - v1;
      out[o3 + i] = v3 - v2;
      lines[i] = v3;
    }
  }
}

/** Work buffers of upscaledScanlines, kept between calls (it runs start to end on this thread). */
const scratch = {
  buffers: new Map<string, Uint8Array | Int32Array>(),
  get<T extends Uint8Array | Int32Array>(name: string, length: number, kind: new (length: number) => T): T {
    let b = this.buffers.get(name) as T | undefined;
    if (!b || b.length < length) {
      b = new kind(length);
      this.buffers.set(name, b);
    }
    return b;
  },
};


/** A PNG file around a zlib stream of 8-bit RGB scanlines. */
function pngFile(width: number, height: number, idat: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * PNG of one generated image, upscaled to `size` px for display; the same pixels as
 * encodePngReference. The upscale runs on this thread (about 1 ms at 256 px on a 2-core EPYC), the
 * compression (about 2 ms) on libuv's pool, so the images of a batch compress in parallel.
 */
export async function encodePng(batch: ImageBatch, index: number, size: number): Promise<Buffer> {
  if (!fastPathFits(batch.size, size)) return encodePngReference(batch, index, size);
  const scanlines = upscaledScanlines(batch, index, size);
  // One output chunk: the default (16 KiB) would hop back to this thread between chunks.
  const idat = await deflate(scanlines, { ...DEFLATE, chunkSize: scanlines.length + 1024 });
  return pngFile(size, size, idat);
}

/** PNG of one generated image through sharp, upscaled (kernel 'lanczos3') to `size` px: the reference path. */
export async function encodePngReference(batch: ImageBatch, index: number, size: number): Promise<Buffer> {
  const raw = sharp(toRgbBytes(batch, index), { raw: { width: batch.size, height: batch.size, channels: 3 } });
  const resized = size === batch.size ? raw : raw.resize(size, size, { kernel: 'lanczos3' });
  return resized.png({ compressionLevel: 6 }).toBuffer();
}
