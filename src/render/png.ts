import sharp from 'sharp';
import type { ImageBatch } from './generator.js';

/** One image of a batch as interleaved RGB bytes. */
export function toRgbBytes(batch: ImageBatch, index: number): Buffer {
  const { size, data } = batch;
  const plane = size * size;
  const base = index * 3 * plane;
  const out = Buffer.allocUnsafe(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = (data[base + c * plane + p]! + 1) * 127.5;
      out[3 * p + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return out;
}

/** PNG of one generated image, upscaled (Lanczos) to `size` px for display. */
export async function encodePng(batch: ImageBatch, index: number, size: number): Promise<Buffer> {
  const raw = sharp(toRgbBytes(batch, index), { raw: { width: batch.size, height: batch.size, channels: 3 } });
  const resized = size === batch.size ? raw : raw.resize(size, size, { kernel: 'lanczos3' });
  return resized.png({ compressionLevel: 6 }).toBuffer();
}
