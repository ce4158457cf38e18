/**
 * Photos in, F's input out, for `npm run attribute -- add`: every file of a folder decoded with sharp,
 * framed like the training data (training/prepare.py) and resized to F's input size (64 px), as RGB in [-1, 1].
 *
 * Framing (--crop): the training pack holds square crops of face plus hair, 1.575 face boxes wide, with the eyes
 * a little above the middle. `celeba` and `lfw` apply prepare.py's fixed crops (stored as fractions of the frame,
 * so the originals work as well as the halved frames of ../shared/datasets): `celeba` for CelebA's "aligned and
 * cropped" frames (178x218 or any size in that ratio), `lfw` for LFW's deep-funnelled frames. `utkface` is for
 * UTKFace's aligned crops (200x200, or the 100x100 `.chip.jpg`s), which run from brow to chin: training/utkface.py
 * measured that such a crop is the box TIGHT = (13, 21, 51, 59) of a 64 px training frame, so the frame is that
 * crop 64/38 = 1.68 times as wide, centred 11/38 of the way down; the part outside the photo (the top of the
 * head, the hair, the sides) is not in UTKFace and is filled by repeating the photo's edge pixels. `none` takes photos
 * already framed that way (a crop made with prepare.py, or a face G drew): the centre square of the photo,
 * resized. Photos framed otherwise (a whole body, a tight crop from brow to chin) give F features it has not
 * seen, and the face check below may refuse them.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/** prepare.py's crops: (centre x, centre y, side) as fractions of the frame's width, height and width. */
export const CROPS = {
  celeba: [44.67 / 89, 56.0 / 109, 84.0 / 89],
  lfw: [62.5 / 125, 55.6 / 125, 91.4 / 125],
  // training/utkface.py's TIGHT box (13, 21, 51, 59) of a 64 px frame is the whole UTKFace crop: the frame is
  // larger than the photo, so this crop reaches outside it (padded, see frame()).
  utkface: [19 / 38, 11 / 38, 64 / 38],
} as const;
export type CropName = keyof typeof CROPS | 'none';
export const CROP_NAMES: readonly CropName[] = ['none', 'celeba', 'lfw', 'utkface'];
/** Crops larger than the photo: the missing border is filled with the photo's edge pixels. */
const PADDED: ReadonlySet<CropName> = new Set(['utkface']);

/** Files that are not photos and are skipped without a word (hidden files, notes). */
const IGNORED = /^\.|^(readme|license|licence)(\.[a-z]+)?$|\.(txt|md|json|csv)$/i;

export interface FolderImages {
  dir: string;
  /** The files read, in name order. */
  files: string[];
  /** NCHW float32 in [-1, 1]: files.length images of size x size. */
  pixels: Float32Array;
  size: number;
  /** Files that could not be read as images, with the reason. */
  unreadable: Array<{ file: string; why: string }>;
  /** Photos where the face check found no face (left out of `files`). */
  noFace: string[];
}

/** Lists the photo files of a folder (not its subfolders), in name order; throws with a plain reason. */
export function photoFiles(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `there is no folder ${dir}` : code === 'ENOTDIR' ? `${dir} is a file, not a folder` : `cannot read the folder ${dir} (${code ?? 'error'})`);
  }
  const isFile = (e: fs.Dirent) => e.isFile() || (e.isSymbolicLink() && fs.statSync(path.join(dir, e.name), { throwIfNoEntry: false })?.isFile() === true);
  return entries.filter((e) => !IGNORED.test(e.name) && isFile(e)).map((e) => e.name).sort();
}

/** A decoded photo: raw sRGB, turned as its EXIF orientation says (as a photo viewer shows it). */
interface Decoded {
  raw: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

async function decode(file: string): Promise<Decoded> {
  const { data, info } = await sharp(file, { failOn: 'error' }).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (!info.width || !info.height) throw new Error('no image size');
  return { raw: data, width: info.width, height: info.height, channels: info.channels };
}

/** A decoded photo framed (crop) and resized: RGB bytes, size x size. */
async function frame(d: Decoded, crop: CropName, size: number): Promise<Buffer> {
  const { width: w0, height: h0 } = d;
  let img = sharp(d.raw, { raw: { width: w0, height: h0, channels: d.channels } });
  if (crop === 'none') {
    img = img.resize(size, size, { fit: 'cover', position: 'centre', kernel: 'lanczos3' });
  } else {
    const [cx, cy, side] = CROPS[crop];
    const s = side * w0;
    const left = Math.round(cx * w0 - s / 2);
    const top = Math.round(cy * h0 - s / 2);
    const sz = Math.round(s);
    if (PADDED.has(crop)) {
      const pad = { top: Math.max(0, -top), left: Math.max(0, -left), bottom: Math.max(0, top + sz - h0), right: Math.max(0, left + sz - w0) };
      const raw = await img.extend({ ...pad, extendWith: 'copy' }).raw().toBuffer({ resolveWithObject: true });
      img = sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: raw.info.channels } })
        .extract({ left: left + pad.left, top: top + pad.top, width: sz, height: sz }).resize(size, size, { kernel: 'lanczos3' });
    } else {
      if (left < 0 || top < 0 || left + sz > w0 || top + sz > h0) throw new Error(`the ${crop} crop does not fit in a ${w0}x${h0} photo`);
      img = img.extract({ left, top, width: sz, height: sz }).resize(size, size, { kernel: 'lanczos3' });
    }
  }
  const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 3) throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}`);
  return data;
}

/** One photo, framed and resized: RGB bytes, size x size. */
export async function framePhoto(file: string, crop: CropName, size: number): Promise<Buffer> {
  return frame(await decode(file), crop, size);
}

/** A face check: the photo framed at `size` px (RGB bytes) in, whether a face is there out. */
export interface FaceCheck {
  size: number;
  hasFace(rgb: Buffer): boolean;
}

/**
 * Reads every photo of `dir` into F's input. Files that do not decode are listed, not thrown; with a face
 * check, photos where it finds no face are listed and left out.
 */
export async function readFolder(dir: string, crop: CropName, size: number, check?: FaceCheck): Promise<FolderImages> {
  const names = photoFiles(dir);
  const good: Array<{ file: string; rgb: Buffer }> = [];
  const unreadable: FolderImages['unreadable'] = [];
  const noFace: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let d: Decoded;
    let rgb: Buffer;
    try {
      d = await decode(file);
      rgb = await frame(d, crop, size);
    } catch (err) {
      unreadable.push({ file: name, why: ((err as Error).message || 'not an image').split('\n')[0]!.slice(0, 120) });
      continue;
    }
    if (check && !check.hasFace(check.size === size ? rgb : await frame(d, crop, check.size))) {
      noFace.push(name);
      continue;
    }
    good.push({ file: name, rgb });
  }
  const plane = size * size;
  const pixels = new Float32Array(good.length * 3 * plane);
  good.forEach(({ rgb }, i) => {
    const base = i * 3 * plane;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) pixels[base + c * plane + p] = rgb[p * 3 + c]! / 127.5 - 1;
    }
  });
  return { dir, files: good.map((g) => g.file), pixels, size, unreadable, noFace };
}

/** The same images mirrored left to right (NCHW). */
export function mirrored(pixels: Float32Array, count: number, size: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < count * 3; i++) {
    const base = i * size * size;
    for (let y = 0; y < size; y++) {
      const row = base + y * size;
      for (let x = 0; x < size; x++) out[row + x] = pixels[row + size - 1 - x]!;
    }
  }
  return out;
}
