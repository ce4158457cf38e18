import sharp, { type OutputInfo } from 'sharp';
import type { PhotoLimits } from './limits.js';
import { bytesForPeople, PhotoRefusal } from './refusal.js';

/** A decoded photo: sRGB bytes, 3 per pixel, turned as its EXIF orientation says. */
export interface DecodedPhoto {
  rgb: Buffer;
  width: number;
  height: number;
}

/** The formats read, by their first bytes (the file name says nothing: a text file may be called .png). */
export function photoFormat(bytes: Buffer): 'png' | 'jpeg' | 'webp' | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

const FORMATS = 'a PNG, JPEG or WebP photo';

/** What a file over the size limit is told (also by the bot, which refuses it before downloading it). */
export function tooLargeText(size: number, maxBytes: number): string {
  return `That file is ${bytesForPeople(size)}; photos can be up to ${bytesForPeople(maxBytes)}. Send a smaller one (a phone's "medium" size is plenty: the face is read at 64 px).`;
}

/** The upload decoded, or a PhotoRefusal saying why not (too large, not an image, too few pixels). */
export async function decodePhoto(bytes: Buffer, limits: PhotoLimits): Promise<DecodedPhoto> {
  if (bytes.length > limits.maxBytes) {
    throw new PhotoRefusal('too-large', tooLargeText(bytes.length, limits.maxBytes));
  }
  if (!photoFormat(bytes)) {
    throw new PhotoRefusal('not-an-image', `That file is not an image I can read: send ${FORMATS}.`);
  }
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(bytes, { failOn: 'error', limitInputPixels: limits.maxPixels, animated: false })
      .rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    const tooMany = /pixel limit/i.test((err as Error).message);
    throw new PhotoRefusal('not-an-image', tooMany
      ? `That picture has more than ${Math.round(limits.maxPixels / 1e6)} million pixels: send a smaller one.`
      : `That file could not be read as an image (it may be damaged or cut short): send ${FORMATS}.`);
  }
  const { width, height, channels } = out.info;
  if (Math.min(width, height) < 64) {
    throw new PhotoRefusal('too-small-image', `That picture is ${width}x${height} px: a photo needs at least 64 px on each side, with the face well inside it.`);
  }
  if (channels !== 3) throw new PhotoRefusal('not-an-image', `That image decoded to ${channels} channels, not RGB: send ${FORMATS}.`);
  return { rgb: out.data, width, height };
}
