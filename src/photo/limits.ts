import { z } from 'zod';

/**
 * What an uploaded photo may be. PHOTO_MAX_MB (environment, via src/config.ts) sets the file size limit; the
 * others follow from the 64 px face the encoder reads.
 */
export const PhotoLimitsSchema = z.object({
  /** Larger files are refused before they are decoded. */
  maxBytes: z.number().int().positive().default(8 * 1024 * 1024),
  /** Larger pictures are refused (a decompression bomb stays a refusal, not an out-of-memory). */
  maxPixels: z.number().int().positive().default(24_000_000),
  /**
   * The smallest face box (px of the photo): the crop is 1.575 boxes wide, so a 41 px box still gives the
   * 64 px the encoder reads from real pixels; smaller ones would be upscaled blur.
   */
  minFaceBox: z.number().int().positive().default(41),
  /** Photos are framed at most this many px on their longer side for the face detector. */
  detectSide: z.number().int().min(64).max(1024).default(256),
});
export type PhotoLimits = z.infer<typeof PhotoLimitsSchema>;

export const DEFAULT_PHOTO_LIMITS: PhotoLimits = PhotoLimitsSchema.parse({});

export function photoLimits(maxMb?: number): PhotoLimits {
  return PhotoLimitsSchema.parse(maxMb === undefined ? {} : { maxBytes: Math.round(maxMb * 1024 * 1024) });
}
