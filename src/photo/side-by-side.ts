import sharp from 'sharp';

const GAP = 8;

/**
 * The reply picture of a photo's face: the aligned input (what the encoder read) on the left, the face G redrew
 * on the right, each at the face PNG's side. Made for the reply only: the stored face never holds the photo.
 */
export async function sideBySide(alignedRgb: Buffer, alignedSize: number, facePng: Buffer): Promise<Buffer> {
  const side = (await sharp(facePng).metadata()).width ?? 256;
  const left = await sharp(alignedRgb, { raw: { width: alignedSize, height: alignedSize, channels: 3 } })
    .resize(side, side, { kernel: 'lanczos3' }).png().toBuffer();
  const right = await sharp(facePng).resize(side, side).removeAlpha().png().toBuffer();
  return sharp({ create: { width: side * 2 + GAP, height: side, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite([{ input: left, left: 0, top: 0 }, { input: right, left: side + GAP, top: 0 }])
    .png({ compressionLevel: 6 })
    .toBuffer();
}
