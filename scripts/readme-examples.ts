/**
 * npm run readme:examples [-- --out-dir DIR] [-- --models-dir DIR] [-- --seeds four=S,morph=S,mixA=S,mixB=S,analogyA=S,analogyC=S]
 * Renders the example pictures of the README and docs/using.md with the shipped models, through the real engine (closed loop,
 * render queue, labels), with fixed seeds, so the same models give the same files (face ids, random, stay out of them):
 *   four.png     describeFour("a smiling woman with wavy hair"): the 2×2 "pick from four" grid the bot posts, at 384 px
 *   morph.webp   a morph "from young to old" of one face, 16 frames at 160 px (animated WebP)
 *   mix.png      face A, face B, the 50% mix and the 70% mix (70% of B), side by side
 *   analogy.png  A, B (A refined: smiling, glasses), C, and C changed the way B differs from A
 * Strips are composed with sharp (no text: the captions in docs/using.md say which is which) and carry the same
 * AI-generated label inside as every face. Models or seeds changed: run it again and look at the pictures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { createEngine } from '../src/conversation/engine.js';
import type { EngineReply, FourReply, MorphReply } from '../src/conversation/types.js';
import type { FaceRecord } from '../src/face/record.js';
import { prng } from '../src/latent/seed.js';
import { engineModels, loadFaceModels } from '../src/render/models.js';
import { labelPng, type FaceLabel } from '../src/render/png-label.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { SOFTWARE } from '../src/version.js';

/** The seeds, picked by eye among 5000–5047 (sheets of `npm run face -- WORDS --seed 5000 --count 48`) for faces that show each example. */
const SEEDS: Record<'four' | 'morph' | 'mixA' | 'mixB' | 'analogyA' | 'analogyC', number> = {
  /** describeFour uses this seed and the three after it. */
  four: 5010,
  morph: 5016,
  mixA: 5008,
  mixB: 5022,
  analogyA: 5022,
  analogyC: 5011,
};

const WORDS = {
  four: 'a smiling woman with wavy hair',
  morphFace: 'a man',
  morph: 'from young to old',
  mixA: 'a young woman',
  mixB: 'a man',
  analogyA: 'a man',
  analogyB: 'smiling, with glasses',
  analogyC: 'a young woman',
};

/** Tile side in the strips, and the white gap between tiles. */
const TILE = 160;
const GAP = 6;
/** The grid's side in the README (the bot posts it at 512 px; 384 px keeps the page light). */
const GRID_SIDE = 384;
/** The morph's frame side and frame count (the README wants it small: it loads with the page). */
const MORPH_SIZE = 160;
const MORPH_FRAMES = 16;
const MORPH_MAX_BYTES = 400 * 1024;

const { values } = parseArgs({
  options: {
    'out-dir': { type: 'string', default: 'docs/images' },
    'models-dir': { type: 'string', default: 'models' },
    /** Other seeds to try, e.g. --seeds four=120,mixB=7 (then look at the pictures). */
    seeds: { type: 'string' },
  },
});
for (const pair of values.seeds?.split(',') ?? []) {
  const [name, seed] = pair.split('=');
  if (!name || !(name in SEEDS) || !/^\d+$/.test(seed ?? '')) throw new Error(`--seeds takes NAME=SEED pairs, NAME one of ${Object.keys(SEEDS).join(', ')}: got "${pair}"`);
  SEEDS[name as keyof typeof SEEDS] = Number(seed);
}

function face(reply: EngineReply): Extract<EngineReply, { kind: 'face' }> {
  if (reply.kind !== 'face') throw new Error(`expected a face: ${reply.text}`);
  return reply;
}

function grid(reply: FourReply): Extract<FourReply, { kind: 'grid' }> {
  if (reply.kind !== 'grid') throw new Error(`expected a grid: ${reply.text}`);
  return reply;
}

function animation(reply: MorphReply): Extract<MorphReply, { kind: 'morph' }> {
  if (reply.kind !== 'morph') throw new Error(`expected a morph: ${reply.text}`);
  return reply;
}

type StripLabel = Pick<FaceLabel, 'seed' | 'edits' | 'caption' | 'model'>;

/** A README picture: a palette PNG (a third of the bytes; faces upscaled from 64 px lose nothing to see), labelled as AI-generated like every face. */
async function readmePng(image: Sharp, label: StripLabel): Promise<Buffer> {
  const png = await image.png({ palette: true, quality: 95, dither: 0.5, compressionLevel: 9, effort: 10 }).toBuffer();
  return labelPng(png, { software: SOFTWARE, truncation: 1, ...label });
}

/** PNGs side by side at TILE px, white gaps. */
async function strip(pngs: readonly Buffer[], label: StripLabel): Promise<Buffer> {
  const tiles = await Promise.all(pngs.map((p) => sharp(p).resize(TILE, TILE, { kernel: 'lanczos3' }).removeAlpha().png().toBuffer()));
  const width = pngs.length * TILE + (pngs.length - 1) * GAP;
  const canvas = sharp({ create: { width, height: TILE, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(tiles.map((input, i) => ({ input, left: i * (TILE + GAP), top: 0 })));
  // composite then encode needs a materialised image before the palette step
  return readmePng(sharp(await canvas.png().toBuffer()), label);
}

function write(dir: string, name: string, data: Buffer): void {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  console.log(`${file}  ${(data.length / 1024).toFixed(0)} KiB`);
}

async function main(): Promise<void> {
  const outDir = path.resolve(values['out-dir']!);
  fs.mkdirSync(outDir, { recursive: true });
  const models = await loadFaceModels({
    modelsDir: path.resolve(values['models-dir']!), provider: 'cpu', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000,
  });
  const store = openSqliteStore(':memory:');
  let clock = Date.UTC(2025, 0, 1);
  const engine = createEngine({ store, ...engineModels(models), random: prng(1), now: () => clock++ });
  const ctx = { userId: 'readme' };
  try {
    // pick from four: the grid as the bot posts it (512 px, labelled)
    const four = grid(await engine.describeFour!(ctx, WORDS.four, SEEDS.four));
    write(outDir, 'four.png', await readmePng(sharp(four.png).resize(GRID_SIDE, GRID_SIDE, { kernel: 'lanczos3' }), {
      seed: SEEDS.four, edits: [WORDS.four], caption: `four faces to pick from (seeds ${four.faces.map((f) => f.seed).join(', ')}): ${four.caption}`,
      model: models.version,
    }));

    // a morph of one face, from young to old and back
    await engine.describe(ctx, WORDS.morphFace, SEEDS.morph);
    const morph = animation(await engine.morph!(ctx, WORDS.morph, { size: MORPH_SIZE, frames: MORPH_FRAMES }));
    if (morph.webp.length > MORPH_MAX_BYTES) throw new Error(`morph.webp is ${morph.webp.length} bytes, over ${MORPH_MAX_BYTES}`);
    write(outDir, 'morph.webp', morph.webp);

    // a mix: A, B, 50% of B into A, 70% of B into A
    const a = face(await engine.describe(ctx, WORDS.mixA, SEEDS.mixA));
    const b = face(await engine.describe(ctx, WORDS.mixB, SEEDS.mixB));
    const half = face(await engine.mix!(ctx, { faceId: a.face.id, otherFaceId: b.face.id, weight: 0.5 }));
    const seventy = face(await engine.mix!(ctx, { faceId: a.face.id, otherFaceId: b.face.id, weight: 0.7 }));
    write(outDir, 'mix.png', await strip([a.png, b.png, half.png, seventy.png], {
      seed: SEEDS.mixA,
      edits: [`A: ${WORDS.mixA} (seed ${SEEDS.mixA})`, `B: ${WORDS.mixB} (seed ${SEEDS.mixB})`, 'mix: 50% A, 50% B', 'mix: 30% A, 70% B'],
      caption: 'A, B, the 50% mix, the 70% mix',
      model: models.version,
    }));

    // an analogy: C changed the way B differs from A (B is A, smiling, with glasses)
    const from = face(await engine.describe(ctx, WORDS.analogyA, SEEDS.analogyA));
    const to = face(await engine.refine(ctx, WORDS.analogyB, from.face.id));
    const c = face(await engine.describe(ctx, WORDS.analogyC, SEEDS.analogyC));
    const result = face(await engine.analogy!(ctx, { faceId: c.face.id, fromFaceId: from.face.id, toFaceId: to.face.id }));
    write(outDir, 'analogy.png', await strip([from.png, to.png, c.png, result.png], {
      seed: SEEDS.analogyC,
      edits: [
        `A: ${WORDS.analogyA} (seed ${SEEDS.analogyA})`, `B: A, then "${WORDS.analogyB}"`, `C: ${WORDS.analogyC} (seed ${SEEDS.analogyC})`, 'analogy: C, changed the way B differs from A',
      ],
      caption: 'A, B, C, and C + (B − A)',
      model: models.version,
    }));
    // the labels name seeds, never face ids (new random ones each run): the same models give the same files
    const seeds = (faces: FaceRecord[]) => faces.map((x) => x.seed).join(', ');
    console.log(`seeds: four ${seeds(four.faces)}; morph ${SEEDS.morph}; mix ${SEEDS.mixA}, ${SEEDS.mixB}; analogy ${SEEDS.analogyA}, ${SEEDS.analogyC}`);
  } finally {
    await models.close();
    await store.close();
  }
}

main().catch((err: unknown) => {
  console.error(`readme-examples: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
