/**
 * Is there a face in this photo? OpenCV's stock Haar cascade (Viola-Jones, haarcascade_frontalface_default.xml
 * from Debian's opencv-data), evaluated here in TypeScript so that `npm run attribute` needs no Python: the
 * same detector and settings training/evaluate.py uses (scale factor 1.1, 5 neighbours), on the photo framed at
 * 128 px with faces of at least 24 px (evaluate.py: 256 and 48).
 *
 * F cannot tell: measured on 200 CelebA, 200 LFW and 100 UTKFace crops against 140 non-faces (noise, flat
 * colours, gradients, text, background corners, upside-down faces), its features and logits put the non-faces
 * inside the range of the real faces (the RMS z-score of its 256 features against G's faces: real faces
 * 1.2-1.5 median, non-faces 1.1-1.5). So without this a folder of anything (cats, landscapes) would be
 * learned as an "attribute" and drawn as whatever separates it from faces.
 *
 * This follows OpenCV's cascadedetect.cpp: the image is scaled down by each factor (bilinear), the 24x24
 * window slides over it (every pixel past factor 2, every other one below), each stump compares its Haar
 * feature with threshold x the window's standard deviation (over the window less a 1 px border), a stage
 * passes when its leaves sum to at least its threshold, and hits are grouped as groupRectangles does (eps 0.2).
 */
import fs from 'node:fs';

/** Where Debian's opencv-data puts the cascade (training/README.md installs it). */
export const CASCADE_FILE = '/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml';
/**
 * The side the photo is framed at for detection, and the smallest face: evaluate.py's 256 px and 48 px
 * halved, which finds as many faces and costs a quarter (measured: 186/200 CelebA crops, 199/200 LFW crops,
 * 2/140 non-faces; at 256 px 183, 200 and 3; cv2 itself agrees with this code on 637 of 640 of those).
 */
export const DETECT_SIZE = 128;
export const DETECT_MIN_FACE = 24;

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  weight: number;
}
interface Stump {
  feature: number;
  threshold: number;
  left: number;
  right: number;
}
export interface Cascade {
  width: number;
  height: number;
  stages: Array<{ threshold: number; stumps: Stump[] }>;
  features: Rect[][];
}

function numbers(s: string): number[] {
  return s.trim().split(/\s+/).map(Number);
}

/** Reads an OpenCV (2.4+ format) stump-based HAAR cascade; throws on anything else. */
export function parseCascade(xml: string): Cascade {
  const tag = (name: string, from: string) => from.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`))?.[1];
  if (tag('featureType', xml)?.trim() !== 'HAAR' || tag('stageType', xml)?.trim() !== 'BOOST') throw new Error('not a boosted HAAR cascade');
  if (/<tilted>\s*1/.test(xml)) throw new Error('tilted Haar features are not supported');
  const width = Number(tag('width', xml));
  const height = Number(tag('height', xml));
  const stagesXml = tag('stages', xml) ?? '';
  const stages = [...stagesXml.matchAll(/<stageThreshold>([^<]+)<\/stageThreshold>\s*<weakClassifiers>([\s\S]*?)<\/weakClassifiers>/g)].map((m) => {
    const stumps = [...m[2]!.matchAll(/<internalNodes>([^<]+)<\/internalNodes>\s*<leafValues>([^<]+)<\/leafValues>/g)].map((w) => {
      const [left, right, feature, threshold] = numbers(w[1]!);
      const leaves = numbers(w[2]!);
      if (left !== 0 || right !== -1 || leaves.length !== 2) throw new Error('only stump (depth 1) cascades are supported');
      return { feature: feature!, threshold: threshold!, left: leaves[0]!, right: leaves[1]! };
    });
    return { threshold: Number(m[1]), stumps };
  });
  const featuresXml = xml.slice(xml.indexOf('<features>'));
  const features = [...featuresXml.matchAll(/<rects>([\s\S]*?)<\/rects>/g)].map((m) =>
    [...m[1]!.matchAll(/<_>([^<]+)<\/_>/g)].map((r) => {
      const [x, y, w, h, weight] = numbers(r[1]!);
      return { x: x!, y: y!, w: w!, h: h!, weight: weight! };
    }),
  );
  if (!(width > 0 && height > 0) || stages.length === 0 || features.length === 0) throw new Error('no stages or features');
  return { width, height, stages, features };
}

let cached: Cascade | null | undefined;

/** The stock frontal-face cascade, or null when opencv-data is not installed (the check is then skipped). */
export function stockCascade(file = CASCADE_FILE): Cascade | null {
  if (cached !== undefined && file === CASCADE_FILE) return cached;
  const c = fs.existsSync(file) ? parseCascade(fs.readFileSync(file, 'utf8')) : null;
  if (file === CASCADE_FILE) cached = c;
  return c;
}

/** Luma as OpenCV's RGB2GRAY (ITU-R BT.601, rounded) of interleaved RGB bytes. */
export function grey(rgb: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) out[i] = Math.round(0.299 * rgb[3 * i]! + 0.587 * rgb[3 * i + 1]! + 0.114 * rgb[3 * i + 2]!);
  return out;
}

/** Bilinear resize (pixel centres aligned, as OpenCV's INTER_LINEAR), rounded to bytes. */
function resize(src: Uint8Array, w: number, h: number, nw: number, nh: number): Uint8Array {
  const out = new Uint8Array(nw * nh);
  const sx = w / nw;
  const sy = h / nh;
  for (let y = 0; y < nh; y++) {
    let fy = (y + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    const y0 = Math.min(h - 1, Math.floor(fy));
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < nw; x++) {
      let fx = (x + 0.5) * sx - 0.5;
      if (fx < 0) fx = 0;
      const x0 = Math.min(w - 1, Math.floor(fx));
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const top = src[y0 * w + x0]! * (1 - tx) + src[y0 * w + x1]! * tx;
      const bottom = src[y1 * w + x0]! * (1 - tx) + src[y1 * w + x1]! * tx;
      out[y * nw + x] = Math.round(top * (1 - ty) + bottom * ty);
    }
  }
  return out;
}

export interface DetectOptions {
  scaleFactor?: number;
  minNeighbors?: number;
  minSize?: number;
}

export interface Detection {
  x: number;
  y: number;
  size: number;
  /** How many raw hits the group holds. */
  hits: number;
}

/** Faces in a grey image (cv2.CascadeClassifier.detectMultiScale with these settings, for stump cascades). */
export function detectFaces(img: Uint8Array, w: number, h: number, cascade: Cascade, opts: DetectOptions = {}): Detection[] {
  const scaleFactor = opts.scaleFactor ?? 1.1;
  const minNeighbors = opts.minNeighbors ?? 5;
  const minSize = opts.minSize ?? 48;
  const cw = cascade.width;
  const ch = cascade.height;
  const hits: Array<{ x: number; y: number; s: number }> = [];
  for (let factor = 1; ; factor *= scaleFactor) {
    const win = Math.round(cw * factor);
    const winH = Math.round(ch * factor);
    const sw = Math.round(w / factor);
    const sh = Math.round(h / factor);
    if (sw < cw || sh < ch || win > w || winH > h) break;
    if (win < minSize || winH < minSize) continue;
    const small = factor === 1 ? img : resize(img, w, h, sw, sh);
    // integral image and integral of squares, (sw + 1) x (sh + 1)
    const iw = sw + 1;
    const sum = new Float64Array(iw * (sh + 1));
    const sq = new Float64Array(iw * (sh + 1));
    for (let y = 0; y < sh; y++) {
      let rs = 0;
      let rq = 0;
      for (let x = 0; x < sw; x++) {
        const v = small[y * sw + x]!;
        rs += v;
        rq += v * v;
        sum[(y + 1) * iw + x + 1] = sum[y * iw + x + 1]! + rs;
        sq[(y + 1) * iw + x + 1] = sq[y * iw + x + 1]! + rq;
      }
    }
    const box = (t: Float64Array, x: number, y: number, bw: number, bh: number) =>
      t[(y + bh) * iw + x + bw]! - t[y * iw + x + bw]! - t[(y + bh) * iw + x]! + t[y * iw + x]!;
    const area = (cw - 2) * (ch - 2);
    const step = factor > 2 ? 1 : 2;
    for (let y = 0; y + ch <= sh; y += step) {
      for (let x = 0; x + cw <= sw; x += step) {
        const s = box(sum, x + 1, y + 1, cw - 2, ch - 2);
        const q = box(sq, x + 1, y + 1, cw - 2, ch - 2);
        const v = area * q - s * s;
        const nf = v > 0 ? Math.sqrt(v) : 1;
        let pass = true;
        for (const stage of cascade.stages) {
          let total = 0;
          for (const st of stage.stumps) {
            let val = 0;
            for (const r of cascade.features[st.feature]!) val += r.weight * box(sum, x + r.x, y + r.y, r.w, r.h);
            total += val < st.threshold * nf ? st.left : st.right;
          }
          if (total < stage.threshold) {
            pass = false;
            break;
          }
        }
        if (pass) hits.push({ x: Math.round(x * factor), y: Math.round(y * factor), s: win });
      }
    }
  }
  return group(hits, minNeighbors, 0.2);
}

/** cv::groupRectangles: clusters of similar hits, kept when they hold more than minNeighbors, averaged. */
function group(hits: Array<{ x: number; y: number; s: number }>, minNeighbors: number, eps: number): Detection[] {
  const parent = hits.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < hits.length; i++) {
    for (let j = i + 1; j < hits.length; j++) {
      const a = hits[i]!;
      const b = hits[j]!;
      const delta = eps * (Math.min(a.s, b.s) + Math.min(a.s, b.s)) * 0.5;
      if (Math.abs(a.x - b.x) <= delta && Math.abs(a.y - b.y) <= delta && Math.abs(a.x + a.s - b.x - b.s) <= delta && Math.abs(a.y + a.s - b.y - b.s) <= delta) {
        parent[find(i)] = find(j);
      }
    }
  }
  const clusters = new Map<number, Array<{ x: number; y: number; s: number }>>();
  hits.forEach((h, i) => clusters.set(find(i), [...(clusters.get(find(i)) ?? []), h]));
  return [...clusters.values()]
    .filter((c) => c.length > minNeighbors)
    .map((c) => ({
      x: Math.round(c.reduce((t, h) => t + h.x, 0) / c.length),
      y: Math.round(c.reduce((t, h) => t + h.y, 0) / c.length),
      size: Math.round(c.reduce((t, h) => t + h.s, 0) / c.length),
      hits: c.length,
    }));
}

/** The face check `npm run attribute -- add` uses: the stock cascade on the photo framed at DETECT_SIZE. */
export function stockFaceCheck(cascade: Cascade): { size: number; hasFace(rgb: Uint8Array): boolean } {
  return {
    size: DETECT_SIZE,
    hasFace: (rgb) => detectFaces(grey(rgb, DETECT_SIZE, DETECT_SIZE), DETECT_SIZE, DETECT_SIZE, cascade, { minSize: DETECT_MIN_FACE }).length > 0,
  };
}
