/**
 * npm run eval:photo [-- --frames 200 --models-dir models --encoder FILE --identity FILE --grid FILE --json FILE]
 *
 * Faces from photos on held-out people (docs/photo.md): the held-out CelebA frames (official numbers >= 162771,
 * the split training/prepare.py writes into the pack, identity-disjoint from training), each sent through the
 * whole /photo path of the engine (decode, detect, align, encode, refine, render, store), then measured:
 * - refused: frames the path turned down (no face found, several, too small), counted as failures below;
 * - identity: is the reconstruction closer to the photo than a random seed's face? By the identity network
 *   (models/identity.onnx) when there, else by F's features (cosine), which the output says;
 * - reconstruction error: pixels (MSE in [-1, 1]) and F's features (MSE), the reconstruction and a seed's face;
 * - "make me older" and "smiling" on the reconstructions and on the seeds through the closed loop: reached when
 *   the loop reports no shortfall;
 * - time: the whole /photo request and the inversion alone (encoder + refinement), median and 90th percentile.
 * Datasets are read from ../shared/datasets; nothing from them is written unless --grid asks (keep it out of git).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createEngine, editFrom, faceLatentFor } from '../conversation/engine.js';
import type { Drawable } from '../face/record.js';
import { parseDescription } from '../grammar/index.js';
import { decodeLatent } from '../latent/origin.js';
import { DEFAULT_TRUNCATION } from '../latent/truncation.js';
import { alignPhoto } from '../photo/align.js';
import { decodePhoto } from '../photo/decode.js';
import { loadPhotoInverter, type PhotoInverter } from '../photo/inverter.js';
import { DEFAULT_PHOTO_LIMITS } from '../photo/limits.js';
import { IdentityNet, identityDistance } from '../render/identity.js';
import { engineModels, loadFaceModels } from '../render/models.js';
import { toRgbBytes } from '../render/png.js';
import { openSqliteStore } from '../store/sqlite-store.js';

const { values: flags } = parseArgs({
  options: {
    frames: { type: 'string', default: '200' }, 'models-dir': { type: 'string', default: 'models' },
    encoder: { type: 'string' }, identity: { type: 'string' }, grid: { type: 'string' }, 'grid-rows': { type: 'string', default: '6' },
    json: { type: 'string' }, dir: { type: 'string', default: path.resolve('../shared/datasets/celeba/img_align_celeba') },
  },
});
const HELDOUT_FROM = 162771; // training/prepare.py CELEBA_HELDOUT_FROM
const say = (line: string) => process.stderr.write(`${line}\n`);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const quantile = (a: number[], q: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(q * a.length))] ?? NaN;
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);
function mse(a: ArrayLike<number>, b: ArrayLike<number>, from = 0, n = b.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[from + i]! - b[i]!) ** 2;
  return s / n;
}

async function main(): Promise<void> {
  const modelsDir = path.resolve(flags['models-dir']!);
  const dir = fs.existsSync(flags.dir!) ? flags.dir! : '/work/shared/datasets/celeba/img_align_celeba';
  const heldOut = fs.readdirSync(dir).filter((f) => /^\d+\.jpg$/.test(f) && Number(f.slice(0, -4)) >= HELDOUT_FROM).sort();
  const want = Math.min(Number(flags.frames), heldOut.length);
  // spread over the held-out range (every k-th), so the frames are not one run of neighbours
  const frames = Array.from({ length: want }, (_, i) => heldOut[Math.floor((i * heldOut.length) / want)]!);

  const models = await loadFaceModels({ modelsDir, provider: 'cpu', renderSize: 64, queueCapacity: 64, maxBatch: 32, timeoutMs: 120_000 });
  const encoderDir = flags.encoder ? fs.mkdtempSync(path.join(os.tmpdir(), 'eval-photo-')) : modelsDir;
  if (flags.encoder) {
    fs.copyFileSync(flags.encoder, path.join(encoderDir, 'encoder.onnx'));
    const info = flags.encoder.replace(/\.onnx$/, '.json');
    if (fs.existsSync(info)) fs.copyFileSync(info, path.join(encoderDir, 'encoder.json'));
    const id = path.join(modelsDir, 'identity.onnx');
    if (fs.existsSync(id)) fs.copyFileSync(id, path.join(encoderDir, 'identity.onnx'));
  }
  const loaded = await loadPhotoInverter(encoderDir, models.generator, models.classifier, 'cpu');
  if ('problem' in loaded) throw new Error(loaded.problem);
  const inverter = loaded.inverter;
  const invertMs: number[] = [];
  const timed: PhotoInverter = {
    inputSize: inverter.inputSize,
    invert: async (p) => {
      const t0 = performance.now();
      const r = await inverter.invert(p);
      invertMs.push(performance.now() - t0);
      return r;
    },
  };
  const idFile = flags.identity ?? path.join(modelsDir, 'identity.onnx');
  const identity = fs.existsSync(idFile) ? await IdentityNet.load(idFile, 'cpu') : undefined;
  const measure = identity ? `the identity network (${idFile})` : "F's features (cosine distance; no identity network found)";
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-photo-store-'));
  const store = openSqliteStore(path.join(storeDir, 'faces.db'));
  const { axes, scorer } = engineModels(models);
  const engine = createEngine({ store, ...engineModels(models), photo: { inverter: timed } });
  const edit = (text: string) => editFrom(text, parseDescription(text), true);
  const EDITS = { older: edit('make me older'), smiling: edit('smiling') };
  const reached = async (face: Drawable, e: typeof EDITS.older) => {
    const { steer } = await faceLatentFor({ ...face, edits: [...face.edits, e] }, axes, scorer);
    return { ok: steer ? steer.shortfalls.length === 0 : true, z: steer?.z };
  };
  const embed = async (images: Float32Array, count: number): Promise<Float32Array[]> => {
    if (identity) return identity.embed({ data: images, count });
    const f = (await models.classifier.read({ data: images, count, size: 64 })).features!;
    const d = f.length / count;
    return Array.from({ length: count }, (_, i) => f.slice(i * d, (i + 1) * d));
  };

  const rows: Array<Record<string, number | string | boolean>> = [];
  const requestMs: number[] = [];
  const gridCells: Float32Array[][] = [];
  let refused = 0;
  const reasons = new Map<string, number>();
  for (const [i, name] of frames.entries()) {
    const bytes = fs.readFileSync(path.join(dir, name));
    const t0 = performance.now();
    const reply = await engine.photo!({ userId: `eval-${i}` }, { bytes, name });
    requestMs.push(performance.now() - t0);
    if (reply.kind !== 'face') {
      refused++;
      const why = reply.text.split(/[:.]/)[0]!;
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
      rows.push({ frame: name, refused: reply.text });
      continue;
    }
    const aligned = await alignPhoto(await decodePhoto(bytes, DEFAULT_PHOTO_LIMITS), { size: 64 });
    const zRec = decodeLatent(reply.face.origin!.z, models.generator.zDim);
    const seedFace: Drawable = { seed: 1 + ((i * 2654435761) >>> 0) % 1_000_000, edits: [], truncation: DEFAULT_TRUNCATION };
    const zSeed = (await faceLatentFor(seedFace, axes, scorer)).z;
    const g = await models.generator.generate([zRec, zSeed]);
    const plane = 3 * 64 * 64;
    const all = new Float32Array(3 * plane);
    all.set(aligned.pixels, 0);
    all.set(g.data.subarray(0, 2 * plane), plane);
    const [ePhoto, eRec, eSeed] = await embed(all, 3);
    const feats = (await models.classifier.read({ data: all, count: 3, size: 64 })).features;
    const fd = feats ? feats.length / 3 : 0;
    const recFace: Drawable = { seed: reply.face.seed, edits: reply.face.edits, truncation: 1, origin: reply.face.origin };
    const [recOlder, seedOlder, recSmile, seedSmile] = await Promise.all([
      reached(recFace, EDITS.older), reached(seedFace, EDITS.older), reached(recFace, EDITS.smiling), reached(seedFace, EDITS.smiling),
    ]);
    const row = {
      frame: name,
      idRec: identityDistance(ePhoto!, eRec!), idSeed: identityDistance(ePhoto!, eSeed!),
      pixRec: mse(g.data, aligned.pixels, 0, plane), pixSeed: mse(g.data, aligned.pixels, plane, plane),
      featRec: feats ? mse(feats, feats.slice(0, fd), fd, fd) : NaN, featSeed: feats ? mse(feats, feats.slice(0, fd), 2 * fd, fd) : NaN,
      olderRec: recOlder.ok, olderSeed: seedOlder.ok, smileRec: recSmile.ok, smileSeed: seedSmile.ok,
    };
    rows.push(row);
    if (gridCells.length < Number(flags['grid-rows']) && recOlder.z && recSmile.z) {
      const extra = await models.generator.generate([recOlder.z, recSmile.z]);
      gridCells.push([aligned.pixels, g.data.slice(0, plane), extra.data.slice(0, plane), extra.data.slice(plane, 2 * plane)]);
    }
    if ((i + 1) % 20 === 0) say(`${i + 1}/${frames.length} frames`);
  }
  const ok = rows.filter((r) => r.refused === undefined) as Array<Record<string, number | boolean>>;
  const share = (f: (r: Record<string, number | boolean>) => boolean) => ok.filter(f).length / Math.max(1, ok.length);
  const closer = ok.filter((r) => (r.idRec as number) < (r.idSeed as number)).length;
  const summary = {
    frames: frames.length, refused, refusedWhy: Object.fromEntries(reasons), measure,
    closerThanSeed: closer / frames.length, closerThanSeedOfInverted: closer / Math.max(1, ok.length),
    identityDistance: { reconstruction: mean(ok.map((r) => r.idRec as number)), seed: mean(ok.map((r) => r.idSeed as number)) },
    pixelMse: { reconstruction: mean(ok.map((r) => r.pixRec as number)), seed: mean(ok.map((r) => r.pixSeed as number)) },
    featureMse: { reconstruction: mean(ok.map((r) => r.featRec as number)), seed: mean(ok.map((r) => r.featSeed as number)) },
    olderReached: { reconstruction: share((r) => r.olderRec === true), seed: share((r) => r.olderSeed === true) },
    smilingReached: { reconstruction: share((r) => r.smileRec === true), seed: share((r) => r.smileSeed === true) },
    requestMs: { median: quantile(requestMs, 0.5), p90: quantile(requestMs, 0.9) },
    invertMs: { median: quantile(invertMs, 0.5), p90: quantile(invertMs, 0.9) },
    encoder: flags.encoder ?? path.join(modelsDir, 'encoder.onnx'),
  };
  console.log(JSON.stringify(summary, null, 1));
  say(`${frames.length} held-out CelebA frames (>= ${HELDOUT_FROM}), ${refused} refused by the /photo path`);
  say(`reconstruction closer to the photo than a random seed's face, by ${measure}: ${pct(summary.closerThanSeed)} of all frames (${pct(summary.closerThanSeedOfInverted)} of those inverted)`);
  say(`"make me older" reached: ${pct(summary.olderReached.reconstruction)} on reconstructions, ${pct(summary.olderReached.seed)} on seeds; "smiling": ${pct(summary.smilingReached.reconstruction)} vs ${pct(summary.smilingReached.seed)}`);
  say(`time: whole /photo request median ${summary.requestMs.median.toFixed(0)} ms (p90 ${summary.requestMs.p90.toFixed(0)}); inversion alone median ${summary.invertMs.median.toFixed(0)} ms (p90 ${summary.invertMs.p90.toFixed(0)})`);
  if (flags.json) fs.writeFileSync(flags.json, JSON.stringify({ summary, rows }, null, 1));
  if (flags.grid && gridCells.length > 0) await writeGrid(flags.grid, gridCells);
  await Promise.all([inverter.close(), identity?.close(), models.close(), store.close()]);
}

/** One row a frame: photo (aligned), reconstruction, older, smiling; 128 px cells. */
async function writeGrid(file: string, rows: Float32Array[][]): Promise<void> {
  const CELL = 128;
  const cells = [];
  for (const [r, row] of rows.entries()) {
    for (const [c, img] of row.entries()) {
      const rgb = toRgbBytes({ data: img, count: 1, size: 64 }, 0);
      cells.push({ input: await sharp(rgb, { raw: { width: 64, height: 64, channels: 3 } }).resize(CELL, CELL, { kernel: 'lanczos3' }).png().toBuffer(), left: c * CELL, top: r * CELL });
    }
  }
  await sharp({ create: { width: 4 * CELL, height: rows.length * CELL, channels: 3, background: '#000' } }).composite(cells).toFile(file);
}

await main();
