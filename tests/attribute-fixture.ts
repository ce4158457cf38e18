/**
 * A small added attribute on the fixture models (tests/fixtures/models: z of 8 numbers, 16 px faces), for
 * the tests of `npm run attribute`. The "photos" are the fixture G's own images saved as PNG: with the
 * attribute, seeds whose z leans along DIRECTION (z·d > +0.5); without, those leaning the other way. So a probe
 * on F's features (the fixture F's are the image itself) can learn it, and its axis in z should come back
 * close to DIRECTION.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { addAttribute, type AddOptions, type AddResult } from '../src/cli/attribute-add.js';
import { seedToLatent } from '../src/latent/seed.js';
import { dot } from '../src/latent/vector.js';
import { Generator } from '../src/render/generator.js';
import { toRgbBytes } from '../src/render/png.js';

export const FIXTURE_MODELS = path.resolve('tests/fixtures/models');
export const FIXTURE_NAME = 'Zorbly';
export const FIXTURE_WORDS = ['zorbly', 'zorbly look'];
/** The direction in z the fixture attribute follows. */
export const DIRECTION = Float32Array.from([0.6, -0.48, 0, 0.64, 0, 0, 0, 0]);

/** Copies the fixture models (G, F, axes.json) into `dir`/models. */
export function copyModels(dir: string): string {
  const models = path.join(dir, 'models');
  fs.mkdirSync(models, { recursive: true });
  for (const f of ['generator.onnx', 'classifier.onnx', 'axes.json']) fs.copyFileSync(path.join(FIXTURE_MODELS, f), path.join(models, f));
  return models;
}

/** `count` PNGs of the fixture G's faces on each side of DIRECTION: `dir`/pos and `dir`/neg. */
export async function makePhotoFolders(dir: string, count = 30): Promise<{ pos: string; neg: string }> {
  const pos = path.join(dir, 'pos');
  const neg = path.join(dir, 'neg');
  fs.mkdirSync(pos, { recursive: true });
  fs.mkdirSync(neg, { recursive: true });
  const g = await Generator.load(path.join(FIXTURE_MODELS, 'generator.onnx'), 'cpu');
  try {
    const picked: Record<'pos' | 'neg', Float32Array[]> = { pos: [], neg: [] };
    for (let seed = 1; picked.pos.length < count || picked.neg.length < count; seed++) {
      const z = seedToLatent(seed, g.zDim);
      const c = dot(z, DIRECTION);
      if (c > 0.5 && picked.pos.length < count) picked.pos.push(z);
      if (c < -0.5 && picked.neg.length < count) picked.neg.push(z);
    }
    for (const side of ['pos', 'neg'] as const) {
      const batch = await g.generate(picked[side]);
      for (let i = 0; i < count; i++) {
        const png = await sharp(toRgbBytes(batch, i), { raw: { width: batch.size, height: batch.size, channels: 3 } }).png().toBuffer();
        fs.writeFileSync(path.join(dir, side, `${side}-${String(i).padStart(3, '0')}.png`), png);
      }
    }
  } finally {
    await g.close();
  }
  return { pos, neg };
}

/** Options for a quick add on the fixture models (small sampling, as the fixture is nearly linear). */
export function quickOptions(dir: string, models: string, folders: { pos: string; neg: string }, more: Partial<AddOptions> = {}): AddOptions {
  return {
    name: FIXTURE_NAME, positive: folders.pos, negative: folders.neg, words: FIXTURE_WORDS, crop: 'none',
    modelsDir: models, wordsFile: path.join(dir, 'added.json'), provider: 'cpu', samples: 400, calibrationSeeds: 12,
    faceCheck: false, // the fixture's 16 px patterns are not faces
    ...more,
  };
}

/** The fixture models with the fixture attribute added: `dir`/models, `dir`/added.json. */
export async function makeAddedModels(dir: string): Promise<{ models: string; wordsFile: string; result: AddResult }> {
  const models = copyModels(dir);
  const folders = await makePhotoFolders(path.join(dir, 'photos'));
  const result = await addAttribute(quickOptions(dir, models, folders));
  return { models, wordsFile: path.join(dir, 'added.json'), result };
}
