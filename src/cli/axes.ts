/**
 * npm run axes [-- --samples N --seed S --models-dir DIR --out FILE]
 * Discovers the 40 feature axes (TL-GAN step 3) with the shipped G and F, and writes models/axes.json.
 * Each axis's success rate (and so whether /face axes marks it weak) is measured through the closed loop
 * the engine uses; --open-loop measures the linear move alone, as before. Each axis is also fitted apart on
 * the faces F reads as women and as men, and a gender's own direction is kept where the loop did better with it
 * (`byGender`; not with --open-loop).
 * Added attributes (`npm run attribute -- add`) are kept: their probes are read from the axes file being
 * replaced (--out, else the models folder's, else $MODELS_DIR's: a campaign candidate's F is the shipped one),
 * and their axes found again with the new G, the same way. A probe learned on another F's features is dropped,
 * with the command that adds it again.
 * The scene's light (src/latent/scene-light.ts) is fitted with the same G and written with the axes;
 * --scene-light-only writes it alone into an existing axes file (every axis as it was).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AxisSet, type AddedAttributeModel } from '../latent/axes.js';
import { discoverAxes } from '../latent/discover.js';
import { Classifier } from '../render/classifier.js';
import { fingerprint } from '../render/fingerprint.js';
import { Generator } from '../render/generator.js';
import { CLASSIFIER_FILE, GENERATOR_FILE, SURROGATE_FILE, surrogateFor } from '../render/models.js';
import { LatentScorer } from '../render/scorer.js';
import { cliConfig } from './args.js';
import { SCENE_LIGHT_SAMPLES, sceneLightJson, sceneLightOf } from './scene-light-fit.js';

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
    'scene-light-only': { type: 'boolean', default: false },
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
  if (values['scene-light-only']) {
    await addSceneLight(out, generator);
    await generator.close();
    return;
  }
  const classifier = await Classifier.load(path.join(dir, CLASSIFIER_FILE), generator.provider);
  const added = keptAttributes([out, path.join(dir, 'axes.json')], path.join(path.resolve(config.MODELS_DIR), 'axes.json'), classifier);
  const scorer = new LatentScorer(generator, classifier, added.map((m) => m.probe));
  const steering = values['open-loop'] ? {} : surrogateFor(path.join(dir, SURROGATE_FILE), generator.fingerprint, generator.zDim, added.map((m) => m.probe));
  if (steering.problem) console.error(steering.problem);
  console.error(`discovering axes: ${samples} samples, seed ${seed}, provider ${generator.provider}` +
    (values['open-loop'] ? '' : `; the loop steers ${steering.surrogate ? `by the surrogate (${SURROGATE_FILE})` : 'along the axes (no surrogate: `npm run surrogate` fits one)'}`));
  const t0 = performance.now();
  let lastStage = '';
  let lastPrint = 0;
  const { file } = await discoverAxes((zs) => scorer.logitsWithAdded(zs), {
    zDim: generator.zDim,
    samples,
    seed,
    calibrationSeeds: Number(values['calibration-seeds']),
    added,
    ...(scorer.readsAge ? { withAges: async (zs: Float32Array[]) => { const r = await scorer.readWithAdded(zs); return { logits: r.logits, ages: r.ages! }; } } : {}),
    ...(values['open-loop'] ? {} : { read: (zs: Float32Array[]) => scorer.read(zs) }),
    ...(steering.surrogate ? { surrogate: steering.surrogate } : {}),
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
  console.error(`fitting the scene's light (${SCENE_LIGHT_SAMPLES} seeds rendered: the direction skin-tone edits move off, src/latent/scene-light.ts)`);
  const light = await sceneLightOf(generator);
  const seconds = (performance.now() - t0) / 1000;
  const full = {
    ...file,
    sceneLight: sceneLightJson(light),
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
  for (const [name, a] of Object.entries(file.added ?? {})) {
    console.error(
      `${name.padEnd(22)} ${a.quality.toFixed(3)}   ${a.r2.toFixed(2).padStart(5)}  ${a.scale.toFixed(2)}   ${a.successRate.toFixed(2)}` +
        ` ${a.openLoopSuccessRate === undefined ? '      ' : `(${a.openLoopSuccessRate.toFixed(2)})`}        ${a.controllable ? 'yes' : 'WEAK'}  (added)`,
    );
  }
  const directions = Object.entries(file.attributes).flatMap(([name, a]) => Object.keys(a.byGender ?? {}).map((g) => `${name} (${g})`));
  console.error(`own direction for a gender kept for ${directions.length} attribute-gender pairs (the loop did better with it on that gender's calibration seeds)` +
    (directions.length > 0 ? `: ${directions.join(', ')}` : ''));
  const reliable = Object.values(file.attributes).filter((a) => a.controllable).length;
  console.error(`${reliable} of 40 axes reliable (on/off success >= 0.75 ${values['open-loop'] ? 'open-loop' : 'through the closed loop'})`);
  if (file.age) {
    const a = file.age;
    console.error(`age axis: ${a.slope.toFixed(2)} years per unit, held-out R² ${a.r2.toFixed(2)}, MAE ${a.mae.toFixed(1)} years; G's faces read ${a.ageMean.toFixed(1)} ± ${a.ageStd.toFixed(1)} years`);
  }
  await generator.close();
  await classifier.close();
}

/**
 * --scene-light-only: the scene's light of this G written into an existing axes file (every axis left as it is):
 * for axes found before the field existed.
 */
async function addSceneLight(file: string, generator: Generator): Promise<void> {
  const axes = AxisSet.fromFile(file); // a valid axes file, or a clear error
  if (axes.zDim !== generator.zDim) throw new Error(`${file} takes z of ${axes.zDim} numbers, this G ${generator.zDim}: run npm run axes`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const made = json.generator && typeof json.generator === 'object' && 'sha256' in json.generator ? String(json.generator.sha256) : undefined;
  if (made !== generator.fingerprint) {
    throw new Error(`${file} was ${made ? `found for another G (${made}, this one ${generator.fingerprint})` : 'not recorded with the G it was found for'}: run npm run axes`);
  }
  const light = await sceneLightOf(generator);
  const next = { ...json, sceneLight: sceneLightJson(light) };
  AxisSet.fromJSON(next, file); // still loads
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(next) + '\n');
  fs.renameSync(temp, file); // whole or not at all
  console.error(`wrote the scene's light into ${file}: border luma ${light.slope.toFixed(1)} per unit, held-out R² ${light.r2.toFixed(3)}`);
}

/**
 * The added attributes to keep: those of the first of `files` that exists and loads (else of `fallback`, the
 * $MODELS_DIR axes a campaign candidate's F comes with), whose probes read this F's features (its fingerprint
 * recorded with the probe). Those left out of `files` are named, with how to add them again; a fallback made for
 * another F (npm run axes on other models) is ignored without a word.
 */
function keptAttributes(files: readonly string[], fallback: string, classifier: Classifier): AddedAttributeModel[] {
  const own = files.find((f) => fs.existsSync(f));
  const from = own ?? (fs.existsSync(fallback) ? fallback : undefined);
  if (!from) return [];
  let axes: AxisSet;
  try {
    axes = AxisSet.fromFile(from);
  } catch {
    return []; // a broken file is being replaced: nothing to keep from it
  }
  if (axes.added().length === 0) return [];
  const print = fingerprint(classifier.file).sha256;
  const kept = axes.added().filter((m) => m.record.classifier === print && classifier.hasFeatures);
  for (const m of own ? axes.added().filter((a) => !kept.includes(a)) : []) {
    console.error(`not keeping the added attribute ${m.probe.name} from ${from}: it was learned on another classifier's features; ` +
      `add it again with npm run attribute -- add ${m.probe.name} --positive ${m.record.positive} --negative ${m.record.negative} --crop ${m.record.crop}`);
  }
  if (kept.length > 0) console.error(`keeping ${kept.length} added attribute(s) from ${from}: ${kept.map((m) => m.probe.name).join(', ')}`);
  return kept;
}

main().catch((err: unknown) => {
  console.error(`axes: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
