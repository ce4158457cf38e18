import sharp from 'sharp';
import { DEFAULT_PHOTO_LIMITS, type PhotoLimits } from './limits.js';
import type { DecodedPhoto } from './decode.js';
import { detectFaces, grey, stockCascade, type Cascade } from './haar.js';
import { PhotoRefusal } from './refusal.js';

/** The side of the aligned face: what the encoder (and G, F) read. */
export const ALIGNED_SIZE = 64;

/**
 * From a Haar face box (x, y, side) to the training crop (training/prepare.py): a square BOX_TO_CROP.side boxes
 * wide, centred on the box moved by (dx, dy) boxes. prepare.py's rule is (0, -0.12, 1.575), measured with cv2's
 * detector on whole CelebA frames; these are re-measured with this detector at this framing
 * (src/cli/photo-mapping.ts on CelebA frames, docs/photo.md gives the error in pixels).
 */
export const BOX_TO_CROP = { dx: 0, dy: -0.12, side: 1.575 } as const;

export interface FaceBox {
  x: number;
  y: number;
  size: number;
}

export interface AlignedFace {
  /** NCHW float32 RGB in [-1, 1], square (ALIGNED_SIZE unless asked otherwise): the encoder's input. */
  pixels: Float32Array;
  /** The same crop as RGB bytes (for the reply's side-by-side picture; never stored). */
  rgb: Buffer;
  /** Where the face was found, in the photo's pixels. */
  box: FaceBox;
}

/** Faces in the photo (boxes in its pixels): the stock cascade on the photo framed at most limits.detectSide px. */
export function findFaces(photo: DecodedPhoto, cascade: Cascade, limits: PhotoLimits = DEFAULT_PHOTO_LIMITS): FaceBox[] {
  const scale = Math.min(1, limits.detectSide / Math.max(photo.width, photo.height));
  const w = Math.max(1, Math.round(photo.width * scale));
  const h = Math.max(1, Math.round(photo.height * scale));
  const small = scale === 1 ? photo.rgb : resizeRgb(photo, w, h);
  const found = detectFaces(grey(small, w, h), w, h, cascade, { minSize: 24 });
  return found.map((d) => ({ x: d.x / scale, y: d.y / scale, size: d.size / scale }));
}

/** Area-averaged downscale of RGB bytes (sharp's would need a promise; this is small and exact enough for detection). */
function resizeRgb(photo: DecodedPhoto, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  const sx = photo.width / w;
  const sy = photo.height / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let r = 0, g = 0, b = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * photo.width + xx) * 3;
          r += photo.rgb[i]!; g += photo.rgb[i + 1]!; b += photo.rgb[i + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * w + x) * 3;
      out[o] = Math.round(r / n); out[o + 1] = Math.round(g / n); out[o + 2] = Math.round(b / n);
    }
  }
  return out;
}

/**
 * The faces that count: those at least SIDE_FACE_RATIO as wide as the largest and not overlapping it. The
 * detector also fires on small patches beside a face (on 15 of 300 CelebA frames framed at 178x218 it found
 * two boxes); a second person of about the same size is still a second face.
 */
export const SIDE_FACE_RATIO = 0.6;
export function mainFaces(faces: FaceBox[]): FaceBox[] {
  if (faces.length < 2) return faces;
  const largest = faces.reduce((a, b) => (b.size > a.size ? b : a));
  const overlaps = (a: FaceBox, b: FaceBox) => a.x < b.x + b.size && b.x < a.x + a.size && a.y < b.y + b.size && b.y < a.y + a.size;
  return [largest, ...faces.filter((f) => f !== largest && f.size >= SIDE_FACE_RATIO * largest.size && !overlaps(f, largest))];
}

/** The training crop for a face box: left, top and side in the photo's pixels (may reach outside it). */
export function cropForBox(box: FaceBox, mapping: { dx: number; dy: number; side: number } = BOX_TO_CROP): { left: number; top: number; side: number } {
  const side = mapping.side * box.size;
  const cx = box.x + box.size / 2 + mapping.dx * box.size;
  const cy = box.y + box.size / 2 + mapping.dy * box.size;
  return { left: cx - side / 2, top: cy - side / 2, side };
}

/** The crop resampled to size x size (Lanczos, as prepare.py), edges repeated where it reaches outside the photo. */
export async function cropRgb(photo: DecodedPhoto, crop: { left: number; top: number; side: number }, size = ALIGNED_SIZE): Promise<Buffer> {
  const left = Math.round(crop.left);
  const top = Math.round(crop.top);
  const side = Math.max(1, Math.round(crop.side));
  const pad = {
    top: Math.max(0, -top), left: Math.max(0, -left),
    bottom: Math.max(0, top + side - photo.height), right: Math.max(0, left + side - photo.width),
  };
  let img = sharp(photo.rgb, { raw: { width: photo.width, height: photo.height, channels: 3 } });
  if (pad.top || pad.left || pad.bottom || pad.right) {
    const padded = await img.extend({ ...pad, extendWith: 'copy' }).raw().toBuffer({ resolveWithObject: true });
    img = sharp(padded.data, { raw: { width: padded.info.width, height: padded.info.height, channels: 3 } });
  }
  const { data } = await img.extract({ left: left + pad.left, top: top + pad.top, width: side, height: side })
    .resize(size, size, { kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
  return data;
}

/** RGB bytes (HWC) to NCHW float32 in [-1, 1]. */
export function toPixels(rgb: Uint8Array, size: number): Float32Array {
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[c * plane + p] = rgb[p * 3 + c]! / 127.5 - 1;
  return out;
}

/**
 * The one face of a photo, aligned like the training crops, or a PhotoRefusal: no face, several faces, a face
 * too small to read. Throws when opencv-data's cascade is not installed (the photo feature needs it).
 */
export async function alignPhoto(
  photo: DecodedPhoto, options: { limits?: PhotoLimits; size?: number; cascade?: Cascade | null } = {},
): Promise<AlignedFace> {
  const limits = options.limits ?? DEFAULT_PHOTO_LIMITS;
  const size = options.size ?? ALIGNED_SIZE;
  const cascade = options.cascade === undefined ? stockCascade() : options.cascade;
  if (!cascade) throw new Error('the face detector (opencv-data\'s haarcascade_frontalface_default.xml) is not installed');
  const faces = mainFaces(findFaces(photo, cascade, limits));
  if (faces.length === 0) {
    throw new PhotoRefusal('no-face', 'I found no face in that photo. Send one with a single face looking roughly at the camera, not too small, in good light.');
  }
  if (faces.length > 1) {
    throw new PhotoRefusal('several-faces', `I found ${faces.length} faces in that photo: send one with a single face (crop it to the person you mean).`);
  }
  const box = faces[0]!;
  if (box.size < limits.minFaceBox) {
    throw new PhotoRefusal('face-too-small', `The face in that photo is only about ${Math.round(box.size)} px wide; it needs at least ${limits.minFaceBox} px. Send a closer or larger photo.`);
  }
  const rgb = await cropRgb(photo, cropForBox(box), size);
  return { pixels: toPixels(rgb, size), rgb, box };
}
