/**
 * npm run axes [-- --samples N --seed S --models-dir DIR --out FILE]
 * Discovers the 40 feature axes (TL-GAN step 3) with the shipped G and F, and writes models/axes.json.
 * Each axis's success rate (and so whether /face axes marks it weak) is measured through the closed loop
 * the engine uses; --open-loop measures the linear move alone, as before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { discoverAxes } from '../latent/discover.js';
import { Classifier } from '../render/classifier.js';
import { fingerprint } from '../render/fingerprint.js';
import { Generator } from '../render/generator.js';
import { CLASSIFIER_FILE, GENERATOR_FILE } from '../render/models.js';
import { LatentScorer } from '../render/scorer.js';
import { cliConfig } from './args.js';

const config = cliConfig('axes');

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '6000' },
    seed: { type: 'string', default: '1000000' },
    'models-dir': { type: 'string', default: config.MODELS_DIR },
    out: { type: 'string' },
    'calibration-seeds': { type: 'string', default: '48' },
    provider: { type: 'string', default: config.EXECUTION_PROVIDER },
    'open-loop': { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const dir = path.resolve(values['models-dir']!);
  const out = path.resolve(values.out ?? path.join(dir, 'axes.json'));
  const samples = Number(values.samples);
  const seed = Number(values.seed);
  if (!Number.isInteger(samples) || samples < 200) throw new Error('--samples must be an integer >= 200');
  const provider = values.provider as 'auto' | 'cpu' | 'cuda';
  const generator = await Generator.load(path.join(dir, GENERATOR_FILE), provider);
  const classifier = await Classifier.load(path.join(dir, CLASSIFIER_FILE), generator.provider);
  const scorer = new LatentScorer(generator, classifier);
  console.error(`discovering axes: ${samples} samples, seed ${seed}, provider ${generator.provider}`);
  const t0 = performance.now();
  let lastStage = '';
  let lastPrint = 0;
  const { file } = await discoverAxes((zs) => scorer.logits(zs), {
    zDim: generator.zDim,
    samples,
    seed,
    calibrationSeeds: Number(values['calibration-seeds']),
    ...(scorer.readsAge ? { withAges: async (zs: Float32Array[]) => { const r = await scorer.readMany(zs); return { logits: r.logits, ages: r.ages! }; } } : {}),
    ...(values['open-loop'] ? {} : { read: (zs: Float32Array[]) => scorer.read(zs) }),
    onProgress: (stage, done, total) => {
      const now = performance.now();
      if (stage !== lastStage || now - lastPrint > 2000 || done === total) {
        const s = ((now - t0) / 1000).toFixed(1);
        console.error(`  ${stage}: ${done}/${total}  (${s} s)`);
        lastStage = stage;
        lastPrint = now;
      }
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const full = {
    ...file,
    generator: fingerprint(path.join(dir, GENERATOR_FILE)),
    classifier: fingerprint(path.join(dir, CLASSIFIER_FILE)),
    seconds: Math.round(seconds * 10) / 10,
    createdAt: new Date().toISOString(),
  };
  fs.writeFileSync(out, JSON.stringify(full) + '\n');
  console.error(`wrote ${out} in ${seconds.toFixed(1)} s`);
  console.error('attribute              quality  r2     scale  success (open loop)  controllable');
  for (const [name, a] of Object.entries(file.attributes)) {
    const open = a.openLoopSuccessRate === undefined ? '      ' : `(${a.openLoopSuccessRate.toFixed(2)})`;
    console.error(
      `${name.padEnd(22)} ${a.quality.toFixed(3)}   ${a.r2.toFixed(2).padStart(5)}  ${a.scale.toFixed(2)}   ${a.successRate.toFixed(2)} ${open}        ${a.controllable ? 'yes' : 'WEAK'}`,
    );
  }
  const reliable = Object.values(file.attributes).filter((a) => a.controllable).length;
  console.error(`${reliable} of 40 axes reliable (on/off success >= 0.75 ${values['open-loop'] ? 'open-loop' : 'through the closed loop'})`);
  if (file.age) {
    const a = file.age;
    console.error(`age axis: ${a.slope.toFixed(2)} years per unit, held-out R² ${a.r2.toFixed(2)}, MAE ${a.mae.toFixed(1)} years; G's faces read ${a.ageMean.toFixed(1)} ± ${a.ageStd.toFixed(1)} years`);
  }
  await generator.close();
  await classifier.close();
}

main().catch((err: unknown) => {
  console.error(`axes: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
