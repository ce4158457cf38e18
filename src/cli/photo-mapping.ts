/**
 * npm run photo:mapping [-- --frames 300 --scale 2]
 * Measures where this project's Haar detector (src/photo/haar.ts, at the upload framing of src/photo/align.ts)
 * puts its box on CelebA frames against the fixed training crop of training/prepare.py, and prints the box ->
 * crop mapping (median offsets and width in boxes) and the error of that mapping per frame, in pixels of the
 * 64 px crop. Frames: the first N of ../shared/datasets' CelebA folder (any frames: no training happens here).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { CROPS } from './attribute-images.js';
import { cropForBox, findFaces, mainFaces } from '../photo/align.js';
import { stockCascade } from '../photo/haar.js';
import { DEFAULT_PHOTO_LIMITS } from '../photo/limits.js';

const { values } = parseArgs({ options: {
  frames: { type: 'string', default: '300' }, scale: { type: 'string', default: '1' },
  dir: { type: 'string', default: '/work/shared/datasets/celeba/img_align_celeba' },
} });
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const cascade = stockCascade();
if (!cascade) throw new Error('opencv-data is not installed');
const files = fs.readdirSync(values.dir!).filter((f) => f.endsWith('.jpg')).sort().slice(0, Number(values.frames));
const scale = Number(values.scale);
const rows: Array<{ dx: number; dy: number; k: number; s: number; truth: { cx: number; cy: number; side: number } }> = [];
let none = 0;
let several = 0;
for (const f of files) {
  const meta = await sharp(path.join(values.dir!, f)).metadata();
  const w = Math.round(meta.width! * scale);
  const h = Math.round(meta.height! * scale);
  const { data } = await sharp(path.join(values.dir!, f)).resize(w, h, { kernel: 'lanczos3' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const faces = mainFaces(findFaces({ rgb: data, width: w, height: h }, cascade, DEFAULT_PHOTO_LIMITS));
  if (faces.length === 0) { none++; continue; }
  if (faces.length > 1) { several++; continue; }
  const b = faces[0]!;
  const [fx, fy, fs_] = CROPS.celeba;
  const truth = { cx: fx * w, cy: fy * h, side: fs_ * w };
  rows.push({ dx: (truth.cx - b.x - b.size / 2) / b.size, dy: (truth.cy - b.y - b.size / 2) / b.size, k: truth.side / b.size, s: b.size, truth });
}
const mapping = { dx: median(rows.map((r) => r.dx)), dy: median(rows.map((r) => r.dy)), side: median(rows.map((r) => r.k)) };
const errors = (m: { dx: number; dy: number; side: number }) => rows.map((r) => {
  const c = cropForBox({ x: r.truth.cx - r.s / 2 - r.dx * r.s, y: r.truth.cy - r.s / 2 - r.dy * r.s, size: r.s }, m);
  const unit = 64 / r.truth.side; // px of the 64 px crop
  const ex = (c.left + c.side / 2 - r.truth.cx) * unit;
  const ey = (c.top + c.side / 2 - r.truth.cy) * unit;
  return { centre: Math.hypot(ex, ey), side: Math.abs(c.side - r.truth.side) * unit };
});
const report = (name: string, m: { dx: number; dy: number; side: number }) => {
  const e = errors(m);
  const p = (a: number[], q: number) => [...a].sort((x, y) => x - y)[Math.floor(q * (a.length - 1))]!.toFixed(2);
  console.log(`${name} (dx ${m.dx.toFixed(3)}, dy ${m.dy.toFixed(3)}, side ${m.side.toFixed(3)}): centre error median ${p(e.map((x) => x.centre), 0.5)} px, 90% ${p(e.map((x) => x.centre), 0.9)} px; side error median ${p(e.map((x) => x.side), 0.5)} px, 90% ${p(e.map((x) => x.side), 0.9)} px (of the 64 px crop)`);
};
console.log(`${files.length} CelebA frames at ${scale}x (${Math.round(89 * scale)}x${Math.round(109 * scale)}): one face in ${rows.length}, none in ${none}, several in ${several}`);
report('prepare.py rule', { dx: 0, dy: -0.12, side: 1.575 });
report('measured median', mapping);
