/**
 * npm run attribute -- add NAME --positive DIR --negative DIR [--words "a, b"] [--label L] [--crop none|celeba|lfw|utkface]
 *                      [--skip-unreadable] [--dry-run] [--samples N] [--models-dir DIR] [--words-file FILE]
 * npm run attribute -- check NAME [--seeds 100] [--first-seed S]
 * npm run attribute -- score NAME --positive DIR --negative DIR [--crop none|celeba|lfw|utkface]
 * npm run attribute -- list
 * npm run attribute -- remove NAME
 *
 * Your own attribute: a linear probe on F's features learned from two folders of photos (with it, without it),
 * its axis in z found like the 40's, both added to models/axes.json and its words to prompts/added.json, so the
 * chat and the bot understand it ("freckles", "more freckles", "no freckles"). G is not retrained; later
 * `npm run axes` runs keep it. See src/cli/attribute-add.ts for how, and the README for an example.
 */
import path from 'node:path';
import { addedAttributesFile, readAddedFile, type AttributeName } from '../face/attributes.js';
import { AxisSet } from '../latent/axes.js';
import { Classifier } from '../render/classifier.js';
import { AXES_FILE, CLASSIFIER_FILE, probesProblem } from '../render/models.js';
import { addAttribute, AttributeInputError, MIN_IMAGES, removeAttribute, type AddOptions } from './attribute-add.js';
import { checkAttribute } from './attribute-check.js';
import { scoreProbe } from './attribute-score.js';
import { CROP_NAMES, type CropName } from './attribute-images.js';
import { cliConfig, parseFlags, UsageError } from './args.js';
import { loadSteeringModels } from './steering-models.js';

const USAGE = [
  'usage: npm run attribute -- add NAME --positive DIR --negative DIR [--words "phrase, phrase"] [--label WORD]',
  '                             [--crop none|celeba|lfw|utkface] [--skip-unreadable] [--no-face-check] [--dry-run] [--samples N]',
  '       npm run attribute -- check NAME [--seeds N] [--first-seed S]',
  '       npm run attribute -- score NAME --positive DIR --negative DIR [--crop ...]   (the stored probe on photos it never saw)',
  '       npm run attribute -- list',
  '       npm run attribute -- remove NAME',
  `  DIR: at least ${MIN_IMAGES} photos each, framed like the training data (--crop celeba / lfw / utkface for CelebA, LFW or UTKFace frames)`,
  '  common: [--models-dir DIR] [--words-file FILE] [--provider auto|cpu|cuda]',
].join('\n');

const common = {
  'models-dir': { type: 'string' },
  'words-file': { type: 'string' },
  provider: { type: 'string' },
} as const;

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function pct(x: number): string {
  return `${Math.round(100 * x)}%`;
}

async function main(argv: string[]): Promise<number> {
  const config = cliConfig('attribute');
  const [command, name, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    say(USAGE);
    return command ? 0 : 2;
  }
  const nameArgs = command === 'list' ? [name, ...rest].filter((a): a is string => a !== undefined) : rest;
  if (command !== 'list' && (!name || name.startsWith('-'))) throw new UsageError(`${command} needs the attribute's NAME first`);
  const flags = parseFlags(nameArgs, {
    ...common,
    positive: { type: 'string' },
    negative: { type: 'string' },
    words: { type: 'string' },
    label: { type: 'string' },
    crop: { type: 'string', default: 'none' },
    'skip-unreadable': { type: 'boolean', default: false },
    'no-face-check': { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    samples: { type: 'string' },
    seeds: { type: 'string', default: '100' },
    'first-seed': { type: 'string', default: '1' },
  });
  const modelsDir = path.resolve(flags['models-dir'] ?? config.MODELS_DIR);
  const wordsFile = path.resolve(flags['words-file'] ?? addedAttributesFile());
  const provider = (flags.provider ?? config.EXECUTION_PROVIDER) as AddOptions['provider'];
  if (!['auto', 'cpu', 'cuda'].includes(provider)) throw new UsageError('--provider must be auto, cpu or cuda');

  switch (command) {
    case 'add': {
      if (!flags.positive || !flags.negative) throw new UsageError('add needs --positive DIR (faces with it) and --negative DIR (faces without it)');
      if (!CROP_NAMES.includes(flags.crop as CropName)) throw new UsageError(`--crop must be one of ${CROP_NAMES.join(', ')}`);
      const samples = flags.samples === undefined ? undefined : Number(flags.samples);
      if (samples !== undefined && (!Number.isInteger(samples) || samples < 200)) throw new UsageError('--samples must be an integer >= 200');
      const r = await addAttribute({
        name: name!, positive: flags.positive, negative: flags.negative,
        ...(flags.words ? { words: flags.words.split(',').map((w) => w.trim()).filter(Boolean) } : {}),
        ...(flags.label ? { label: flags.label } : {}),
        ...(samples ? { samples } : {}),
        crop: flags.crop as CropName, modelsDir, wordsFile, provider,
        skipUnreadable: flags['skip-unreadable'], faceCheck: !flags['no-face-check'], dryRun: flags['dry-run'], log: say,
      });
      if (r.skipped.length) say(`left out ${r.skipped.length} file(s): unreadable (--skip-unreadable) or no face found`);
      say(`${r.name}: probe held-out accuracy ${r.quality.accuracy.toFixed(3)}, AUC ${r.quality.auc.toFixed(3)} ` +
        `(${r.positives} with, ${r.negatives} without); axis R² ${r.axis.r2.toFixed(2)}, AUC ${r.axis.quality.toFixed(3)}, ` +
        `scale ${r.axis.scale.toFixed(2)}, on/off success ${r.axis.successRate.toFixed(2)}` +
        `${r.axis.openLoopSuccessRate !== undefined ? ` (open loop ${r.axis.openLoopSuccessRate.toFixed(2)})` : ''}` +
        `${r.axis.controllable ? '' : ' — WEAK: the bot will say so when it falls short'}`);
      if (r.written.length) {
        say(`wrote ${r.written.join(' and ')} in ${r.seconds.toFixed(0)} s; ask for it with: ${r.words.map((w) => `"${w}"`).join(', ')} (or "more …", "no …")`);
        say(`measure it: npm run attribute -- check ${r.name}`);
      } else {
        say(`--dry-run: nothing written (${r.seconds.toFixed(0)} s)`);
      }
      return 0;
    }
    case 'remove': {
      const files = removeAttribute(name!, modelsDir, wordsFile);
      say(`removed ${name} from ${files.join(' and ')}`);
      return 0;
    }
    case 'list': {
      const axes = AxisSet.fromFile(path.join(modelsDir, AXES_FILE));
      const words = readAddedFile(wordsFile).attributes;
      const names = [...new Set([...axes.added().map((m) => m.probe.name as string), ...Object.keys(words)])];
      if (names.length === 0) say(`no added attributes in ${path.join(modelsDir, AXES_FILE)} or ${wordsFile}`);
      for (const n of names) {
        const m = axes.added().find((a) => a.probe.name === n);
        const axis = axes.get(n as AttributeName);
        const said = words[n]?.say.map((w) => `"${w}"`).join(', ') ?? '(no words: the grammar cannot ask for it)';
        const probe = m ? `probe accuracy ${m.record.heldOutAccuracy.toFixed(3)} on ${m.record.positives}+${m.record.negatives} photos` : '(no probe or axis in axes.json)';
        const success = axis ? `, on/off success ${axis.successRate.toFixed(2)}${axis.controllable ? '' : ' (weak)'}` : '';
        process.stdout.write(`${n}: ${said}; ${probe}${success}\n`);
      }
      return 0;
    }
    case 'check': {
      const count = Number(flags.seeds);
      const first = Number(flags['first-seed']);
      if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new UsageError('--seeds must be an integer in 1..10000');
      if (!Number.isInteger(first) || first < 0) throw new UsageError('--first-seed must be a whole number');
      const models = await loadSteeringModels(modelsDir, provider, say, (problem) => new AttributeInputError(problem));
      const { axes, scorer } = models;
      try {
        const r = await checkAttribute(name as AttributeName, axes, scorer, { first, count, truncation: config.TRUNCATION });
        say(`${r.name} on seeds ${first}..${first + count - 1} (unedited faces: mean p ${r.baseMean.toFixed(2)})`);
        for (const d of [r.present, r.absent]) {
          say(`  "${d.text}": the probe moved the asked way on ${pct(d.rate)} of seeds (mean Δp ${d.meanDelta >= 0 ? '+' : ''}${d.meanDelta.toFixed(2)}, ` +
            `${pct(d.reached)} past 0.5); open loop ${pct(d.openRate)} (Δp ${d.openMeanDelta >= 0 ? '+' : ''}${d.openMeanDelta.toFixed(2)}); ` +
            `drift: P(Male) ${d.maleDrift.toFixed(2)}${d.ageDrift !== undefined ? `, age ${d.ageDrift.toFixed(1)} years` : ''}`);
        }
        process.stdout.write(JSON.stringify(r) + '\n');
      } finally {
        await models.close();
      }
      return 0;
    }
    case 'score': {
      if (!flags.positive || !flags.negative) throw new UsageError('score needs --positive DIR (faces with it) and --negative DIR (faces without it)');
      if (!CROP_NAMES.includes(flags.crop as CropName)) throw new UsageError(`--crop must be one of ${CROP_NAMES.join(', ')}`);
      const axes = AxisSet.fromFile(path.join(modelsDir, AXES_FILE));
      const classifier = await Classifier.load(path.join(modelsDir, CLASSIFIER_FILE), provider);
      try {
        const problem = probesProblem(axes, classifier, path.join(modelsDir, AXES_FILE));
        if (problem) throw new AttributeInputError(problem);
        const r = await scoreProbe(name as AttributeName, axes, classifier, { positive: flags.positive, negative: flags.negative }, flags.crop as CropName);
        say(`${r.name} on ${r.positives} photos with and ${r.negatives} without: AUC ${r.auc.toFixed(3)}, accuracy ${r.accuracy.toFixed(3)} (at p = 0.5, the folders weighted equally)`);
        process.stdout.write(JSON.stringify(r) + '\n');
      } finally {
        await classifier.close();
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}": add, check, score, list or remove`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      say(`attribute: ${err.message}\n${USAGE}`);
      process.exit(2);
    }
    if (err instanceof AttributeInputError) {
      say(`attribute: ${err.message}`);
      process.exit(1);
    }
    say(`attribute: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
