/**
 * npm run surrogate [-- --models-dir DIR --samples N --epochs E --hidden H --out FILE]
 * Fits the surrogate of F(G(z)) (src/latent/surrogate.ts) that the closed loop steers by, for the G, F and
 * axes in the models folder, and writes DIR/surrogate.json:
 * 1. samples N faces (half random seeds, half seeds moved along one to three random feature axes by up to a
 *    few spreads, where edits take faces) and reads F's 40 logits, age and the added attributes' probe logits
 *    on each (about 150 faces a second on 2 cores);
 * 2. fits a two-layer network z -> (40 logits, age, probes) with PyTorch (training/fit_surrogate.py; $PYTHON, else
 *    /usr/bin/python3), holding out a tenth, and prints its R² against the linear fit's on the held-out faces.
 * Remake it after a new G or F (campaign.py keep does), then `npm run axes` so that the axes' calibration is
 * measured with the loop the engine runs.
 *
 * npm run surrogate -- --add NAME[,NAME] [--samples N]: an attribute added since the fit (npm run attribute -- add)
 * gets its own output, a linear read of the surrogate's last hidden layer fitted on the same sampled faces
 * (src/cli/surrogate-add.ts), every other output the same bits: the loop then follows its gradient at each face
 * instead of one axis for all, and no other face changes.
 *
 * npm run surrogate -- --replace NAME[,NAME] [--samples N]: an added attribute whose probe was learned again
 * (`npm run attribute -- remove` then `add`, so the surrogate's recorded print is stale: the loop steers it
 * along its axis until then) gets its output fitted again the same way, in place; every other output keeps
 * its bits, so only the faces that ask for that attribute change.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AxisSet } from '../latent/axes.js';
import { keepInRange } from '../latent/edit.js';
import { mulberry32, seedToLatent } from '../latent/seed.js';
import { Surrogate, SurrogateFileSchema } from '../latent/surrogate.js';
import { withAddedOutputs } from './surrogate-add.js';
import { Classifier } from '../render/classifier.js';
import { Generator } from '../render/generator.js';
import { AXES_FILE, CLASSIFIER_FILE, GENERATOR_FILE, SURROGATE_FILE } from '../render/models.js';
import { LatentScorer } from '../render/scorer.js';
import { cliConfig } from './args.js';
import { surrogateRows } from './surrogate-rows.js';
import { probePrint } from '../latent/probe.js';
import { ATTRIBUTES } from '../face/attributes.js';

const config = cliConfig('surrogate');

const { values } = parseArgs({
  options: {
    'models-dir': { type: 'string', default: config.MODELS_DIR },
    samples: { type: 'string', default: '40000' },
    seed: { type: 'string', default: '20000000' },
    epochs: { type: 'string', default: '30' },
    hidden: { type: 'string', default: '256' },
    out: { type: 'string' },
    add: { type: 'string' },
    replace: { type: 'string' },
  },
});

/** The sampled latents: seeds, and every other one moved along random axes (their own or a gender's direction). */
function surrogateLatents(axes: AxisSet, n: number, firstSeed: number): Float32Array[] {
  const rnd = mulberry32(firstSeed);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const vectors = axes.names().flatMap((name) => {
    const a = axes.require(name);
    return [a.vector, ...[a.byGender?.women, a.byGender?.men].flatMap((d) => (d ? [d.vector] : []))];
  });
  return Array.from({ length: n }, (_, i) => {
    const z = seedToLatent(firstSeed + i, axes.zDim);
    if (i % 2 === 1) {
      const moves = 1 + Math.floor(rnd() * 3);
      for (let m = 0; m < moves; m++) {
        const v = vectors[Math.floor(rnd() * vectors.length)]!;
        const amount = 2 * gauss();
        for (let d = 0; d < z.length; d++) z[d]! += amount * v[d]!;
      }
    }
    return keepInRange(z);
  });
}

async function main(): Promise<void> {
  const dir = path.resolve(values['models-dir']!);
  const out = path.resolve(values.out ?? path.join(dir, SURROGATE_FILE));
  const n = Number(values.samples);
  if (!Number.isInteger(n) || n < 1000) throw new Error('--samples must be an integer >= 1000');
  const generator = await Generator.load(path.join(dir, GENERATOR_FILE), config.EXECUTION_PROVIDER);
  const classifier = await Classifier.load(path.join(dir, CLASSIFIER_FILE), generator.provider);
  const axes = AxisSet.fromFile(path.join(dir, AXES_FILE));
  if (!classifier.hasAge) console.error('F has no age head: the surrogate predicts no age');
  // the added attributes' probes (skin tone, appearance) are modelled too, so the loop follows their own gradient at each face
  const probes = axes.probes();
  const scorer = new LatentScorer(generator, classifier, probes);
  const zs = surrogateLatents(axes, n, Number(values.seed));
  if (values.add || values.replace) {
    const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    await addOutputs(out, list(values.add), list(values.replace), zs, scorer, probes, generator.fingerprint);
    await generator.close();
    await classifier.close();
    return;
  }
  const t0 = performance.now();
  const r = await scorer.readMany(zs, 256);
  console.error(`read ${n} faces in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const { outputs, rows } = surrogateRows(zs, r, probes.map((p) => p.name));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-surrogate-'));
  try {
    const samples = path.join(work, 'samples.f32');
    fs.writeFileSync(samples, Buffer.from(rows.buffer));
    const meta = path.join(work, 'meta.json');
    const prints = Object.fromEntries(probes.map((p) => [p.name, probePrint(p)]));
    fs.writeFileSync(meta, JSON.stringify({ zDim: axes.zDim, outputs, generator: generator.fingerprint, probes: prints }));
    const python = process.env.PYTHON ?? '/usr/bin/python3';
    const script = path.resolve('training/fit_surrogate.py');
    const fit = spawnSync(python, [script, '--samples', samples, '--meta', meta, '--out', out, '--epochs', values.epochs!, '--hidden', values.hidden!], {
      stdio: 'inherit',
    });
    if (fit.error || fit.status !== 0) {
      throw new Error(`${python} ${script} failed (${fit.error?.message ?? `exit ${fit.status}`}): it needs PyTorch (training/README.md)`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const s = Surrogate.fromFile(out); // refuses a malformed file now, not at the bot's start
  console.error(`wrote ${out} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB) for generator ${s.generator}; ` +
    `run \`npm run axes${dir === path.resolve('models') ? '' : ` -- --models-dir ${dir}`}\` so the axes' calibration uses it`);
  await generator.close();
  await classifier.close();
}

/**
 * --add: the named probes' outputs appended to the surrogate in `file`; --replace: the named stale ones fitted
 * again in place (src/cli/surrogate-add.ts).
 */
async function addOutputs(
  file: string, adding: string[], replacing: string[], zs: Float32Array[], scorer: LatentScorer, probes: ReturnType<AxisSet['probes']>,
  generator: string | undefined,
): Promise<void> {
  const current = SurrogateFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (current.generator !== generator) throw new Error(`${file} was fitted for generator ${current.generator}, not this one (${generator}): refit it (npm run surrogate)`);
  const stale = new Surrogate(current).staleProbes(new Map(probes.map((p) => [p.name, probePrint(p)])), new Set<string>([...ATTRIBUTES, 'Age']));
  const fresh = replacing.filter((name) => probes.some((p) => p.name === name) && current.outputs.includes(name) && !stale.includes(name));
  if (fresh.length > 0) throw new Error(`${fresh.join(', ')}: the surrogate was fitted on the probe loaded now (the same print): nothing to replace`);
  const names = [...adding, ...replacing];
  const columns = names.map((name) => {
    const at = probes.findIndex((p) => p.name === name);
    if (at < 0) throw new Error(`${name} is not an added attribute of these axes (npm run attribute -- list)`);
    return at;
  });
  const t0 = performance.now();
  const r = await scorer.readMany(zs, 256);
  console.error(`read ${zs.length} faces in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const added = names.map((name, k) => ({
    name, print: probePrint(probes[columns[k]!]!),
    values: Float32Array.from(zs, (_, i) => r.added![i * probes.length + columns[k]!]!),
  }));
  const { file: next, r2 } = withAddedOutputs(current, zs, added, replacing);
  new Surrogate(next); // refuses a malformed network before anything is written
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(next));
  fs.renameSync(tmp, file);
  names.forEach((name, k) => console.error(`${name}: held-out R² ${r2[k]!.toFixed(3)} (linear in z: ${next.r2Linear?.[next.outputs.indexOf(name)]?.toFixed(3) ?? '?'})`));
  console.error(`wrote ${file}: ${next.outputs.length} outputs, the other ${current.outputs.length - replacing.length} of the ${current.outputs.length} before unchanged`);
}

main().catch((err: unknown) => {
  console.error(`surrogate: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
