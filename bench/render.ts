import path from 'node:path';
import sharp from 'sharp';
import { parseDescription } from '../src/grammar/index.js';
import { AxisSet } from '../src/latent/axes.js';
import { faceLatent } from '../src/latent/edit.js';
import { Generator, type ImageBatch } from '../src/render/generator.js';
import { AXES_FILE, GENERATOR_FILE } from '../src/render/models.js';
import { encodePng, encodePngReference } from '../src/render/png.js';
import { percentile } from './stats.js';

type Encode = (batch: ImageBatch, index: number, size: number) => Promise<Buffer>;

const SIZE = 256;

/** The median of a list of numbers. */
function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * Render latency for one face (text -> PNG) and batched throughput, with the shipped models: the PNG
 * path the bot uses (encodePng) beside the sharp reference path it replaced (encodePngReference, the same
 * pixels), measured interleaved in the same run so that both see the same machine.
 */
export async function benchRender(modelsDir: string): Promise<void> {
  const generator = await Generator.load(path.join(modelsDir, GENERATOR_FILE), 'auto');
  const axes = AxisSet.fromFile(path.join(modelsDir, AXES_FILE));
  console.log(`render (provider ${generator.provider}, ${SIZE} px PNG)`);
  const texts = ['older man, smiling, more beard, receding hairline', 'a young woman with blonde hair and glasses', 'bald guy with a moustache', 'smiling girl, wavy hair, lipstick'];
  const once = async (i: number, encode: Encode) => {
    const t0 = performance.now();
    const p = parseDescription(texts[i % texts.length]!);
    const z = faceLatent({ seed: 1000 + i, edits: [{ text: '', weights: p.weights, mode: p.mode, locks: p.locks }] }, axes);
    const batch = await generator.generate([z]);
    await encode(batch, 0, SIZE);
    return performance.now() - t0;
  };
  for (let i = 0; i < 10; i++) {
    await once(i, encodePng);
    await once(i, encodePngReference);
  }
  const fast: number[] = [];
  const ref: number[] = [];
  for (let i = 0; i < 200; i++) {
    fast.push(await once(i, encodePng));
    ref.push(await once(i, encodePngReference));
  }
  const ms = (xs: number[], p: number) => percentile(xs, p).toFixed(1);
  console.log(`  one face, text -> PNG: p50 ${ms(fast, 50)} ms, p95 ${ms(fast, 95)} ms (200 runs; sharp reference path p50 ${ms(ref, 50)} ms, p95 ${ms(ref, 95)} ms)`);

  // Bytes and pixels: the same faces through both paths.
  const sample = await generator.generate(Array.from({ length: 16 }, (_, i) => faceLatent({ seed: 500 + i, edits: [] }, axes)));
  let bytes = 0;
  let refBytes = 0;
  let maxDiff = 0;
  for (let i = 0; i < sample.count; i++) {
    const [a, b] = [await encodePng(sample, i, SIZE), await encodePngReference(sample, i, SIZE)];
    bytes += a.length;
    refBytes += b.length;
    const [pa, pb] = [await sharp(a).raw().toBuffer(), await sharp(b).raw().toBuffer()];
    if (pa.length !== pb.length) maxDiff = 255;
    for (let k = 0; k < pa.length; k++) maxDiff = Math.max(maxDiff, Math.abs(pa[k]! - pb[k]!));
  }
  const kib = (n: number) => (n / sample.count / 1024).toFixed(1);
  console.log(`  PNG: ${kib(bytes)} KiB a face (reference ${kib(refBytes)} KiB); decoded pixels vs reference: max abs diff ${maxDiff} over ${sample.count} faces`);

  for (const size of [32, 64]) {
    const latents = Array.from({ length: size }, (_, i) => faceLatent({ seed: i, edits: [] }, axes));
    const withPng = async (encode: Encode) => {
      const t0 = performance.now();
      const b = await generator.generate(latents);
      await Promise.all(latents.map((_, i) => encode(b, i, SIZE)));
      return size / ((performance.now() - t0) / 1000);
    };
    const gOnlyRound = async () => {
      const t0 = performance.now();
      await generator.generate(latents);
      return size / ((performance.now() - t0) / 1000);
    };
    await gOnlyRound();
    await withPng(encodePng);
    await withPng(encodePngReference);
    const g: number[] = [];
    const f: number[] = [];
    const r: number[] = [];
    for (let round = 0; round < 5; round++) {
      g.push(await gOnlyRound());
      f.push(await withPng(encodePng));
      r.push(await withPng(encodePngReference));
    }
    const [gm, fm, rm] = [median(g), median(f), median(r)];
    const pct = (x: number) => `${((100 * x) / gm).toFixed(0)}%`;
    console.log(
      `  batched x${size}: ${gm.toFixed(0)} faces/s (generator), ${fm.toFixed(0)} faces/s (generator + PNG) = ${pct(fm)} of generator-only ` +
        `(sharp reference path ${rm.toFixed(0)} faces/s = ${pct(rm)}); medians of 5 rounds`,
    );
  }
  await generator.close();
}
