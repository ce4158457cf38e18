/**
 * npm run eval:skin [-- --seeds 200 --first-seed 1 --grid FILE --grid-seeds 8 --json FILE --models-dir DIR]
 *
 * Skin tone and appearance words through the engine's closed loop, on the same seeds (src/cli/skin-eval.ts,
 * docs/skin-tone.md): "a dark-skinned woman" against "a woman" by the skin tone ITA of the drawn pixels; "a
 * black man", "an east asian woman", "a south asian man" against "a man" / "a woman" by the matching probe,
 * with the gender and the age held. --grid writes the faces of the first --grid-seeds seeds, one row a seed,
 * one column a description. --as-users draws every face as the engine draws a user's new face (the seed search's
 * start and the realism guard): what users see, for the grid; the pairs then no longer share their start.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { ITA_BANDS, itaBand } from '../latent/skin-tone.js';
import type { Generator } from '../render/generator.js';
import { AppearanceCheck } from '../render/appearance-check.js';
import { toRgbBytes } from '../render/png.js';
import { cliConfig, UsageError } from './args.js';
import { loadSteeringModels } from './steering-models.js';
import { loadFaceModels } from '../render/models.js';
import { comparePair, draw, PAIRS, SATURATED_P, type Drawn } from './skin-eval.js';

const config = cliConfig('eval:skin');
const say = (line: string) => process.stderr.write(`${line}\n`);
/** A share as a percentage, to the half percent of 200 seeds (89.5% is not 90%). */
const pct = (x: number) => `${Math.round(1000 * x) / 10}%`;
const CELL = 128;

async function grid(file: string, drawn: Drawn[], rows: number, generator: Generator): Promise<void> {
  const cells: Array<{ input: Buffer; left: number; top: number }> = [];
  for (const [col, d] of drawn.entries()) {
    const batch = await generator.generate(d.z.slice(0, rows));
    for (let row = 0; row < batch.count; row++) {
      const png = await sharp(toRgbBytes(batch, row), { raw: { width: batch.size, height: batch.size, channels: 3 } })
        .resize(CELL, CELL, { kernel: 'lanczos3' }).png().toBuffer();
      cells.push({ input: png, left: col * CELL, top: row * CELL });
    }
  }
  await sharp({ create: { width: drawn.length * CELL, height: rows * CELL, channels: 3, background: '#000' } })
    .composite(cells).toFile(file); // the format from the name: .png, .jpg, .webp
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      seeds: { type: 'string', default: '200' }, 'first-seed': { type: 'string', default: '1' },
      grid: { type: 'string' }, 'grid-seeds': { type: 'string', default: '8' }, json: { type: 'string' },
      'models-dir': { type: 'string' }, 'as-users': { type: 'boolean', default: false },
    },
  });
  const count = Number(flags.seeds);
  const first = Number(flags['first-seed']);
  const gridSeeds = Number(flags['grid-seeds']);
  if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new UsageError('--seeds must be an integer in 1..10000');
  if (!Number.isInteger(first) || first < 0) throw new UsageError('--first-seed must be a whole number');
  if (!Number.isInteger(gridSeeds) || gridSeeds < 1 || gridSeeds > count) throw new UsageError('--grid-seeds must be in 1..--seeds');
  const modelsDir = path.resolve(flags['models-dir'] ?? config.MODELS_DIR);
  const asUsers = flags['as-users'];
  const models = asUsers
    ? await loadFaceModels({ modelsDir, provider: config.EXECUTION_PROVIDER, renderSize: 64, queueCapacity: 64, maxBatch: 32, timeoutMs: 600_000 })
    : await loadSteeringModels(modelsDir, config.EXECUTION_PROVIDER, say, (problem) => new UsageError(problem));
  const { generator, axes } = models;
  const scorer = models.scorer;
  const checkFile = path.join(modelsDir, 'appearance_check.onnx');
  const checker = existsSync(checkFile)
    ? await AppearanceCheck.load(checkFile, path.join(modelsDir, 'appearance_check.json'), config.EXECUTION_PROVIDER)
    : undefined;
  if (!checker) say(`no ${checkFile}: the probe pairs are graded by the probes the loop steers by only (training/train_appearance_check.py makes the independent check)`);
  try {
    const seeds = Array.from({ length: count }, (_, i) => first + i);
    const texts = [...new Set(PAIRS.flatMap((p) => [p.plain, p.asked]))];
    const drawn = new Map<string, Drawn>();
    for (const text of texts) {
      const t0 = Date.now();
      drawn.set(text, await draw(text, seeds, axes, scorer, generator, config.TRUNCATION, checker, asUsers));
      say(`drew "${text}" on ${count} seeds in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    const results = PAIRS.map((p) => comparePair(p, drawn.get(p.plain)!, drawn.get(p.asked)!));
    say(`seeds ${first}..${first + count - 1}, closed loop${asUsers ? ', as users get them (seed search and realism guard: the pairs do not share a start)' : ''}, G ${generator.fingerprint}`);
    for (const r of results) {
      const what = r.measure === 'ita'
        ? `darker on ${pct(r.moved)} (${pct(r.movedHeld)} with gender and age held), median ${r.median.toFixed(1)}° ITA darker; mean ITA ${r.plainMean.toFixed(1)} -> ${r.askedMean.toFixed(1)}; brown or dark (ITA <= 10) ${pct(r.plainReached)} -> ${pct(r.reached)}`
        : `${r.measure} rose on ${pct(r.moved)} (${pct(r.movedHeld)} with gender and age held), median +${r.median.toFixed(2)}; mean P ${r.plainMean.toFixed(2)} -> ${r.askedMean.toFixed(2)}; P > 0.5 ${pct(r.plainReached)} -> ${pct(r.reached)}`;
      say(`  "${r.asked}" vs "${r.plain}": ${what}; gender held ${pct(r.genderHeld)}${r.ageDrift !== undefined ? `, mean |Δ age| ${r.ageDrift.toFixed(1)} years` : ''}; smiling (F) ${pct(r.smiling.plain)} -> ${pct(r.smiling.asked)}`);
      if (r.unsaturated) say(`    where the plain face is not already read past P ${SATURATED_P} (${r.unsaturated.seeds} of ${r.seeds} seeds): rose on ${pct(r.unsaturated.moved)} (${pct(r.unsaturated.movedHeld)} held)`);
      if (r.darker !== undefined) say(`    the pixels: cheeks darker (ITA) than the plain face's on ${pct(r.darker)}`);
      if (r.check) say(`    independent check (a CNN on the pixels, not F): P(${r.measure}) rose on ${pct(r.check.moved)} (${pct(r.check.movedHeld)} held); its top class is ${r.measure} on ${pct(r.check.plainTop)} -> ${pct(r.check.askedTop)}`);
    }
    const bands = Object.fromEntries(texts.map((t) => [t, Object.fromEntries(ITA_BANDS.map(([b]) => [b, drawn.get(t)!.ita.filter((v) => itaBand(v) === b).length / count]))]));
    for (const t of texts) say(`  ITA bands of "${t}": ${ITA_BANDS.map(([b]) => `${b} ${pct(bands[t]![b]!)}`).join(', ')}`);
    const out = { seeds: [first, first + count - 1], generator: generator.fingerprint, asUsers, results, bands };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    if (flags.json) writeFileSync(flags.json, `${JSON.stringify(out, null, 1)}\n`);
    if (flags.grid) {
      await grid(flags.grid, texts.map((t) => drawn.get(t)!), gridSeeds, generator);
      say(`wrote ${flags.grid}: columns ${texts.map((t) => `"${t}"`).join(', ')}; rows seeds ${first}..${first + gridSeeds - 1}`);
    }
  } finally {
    await checker?.close();
    await models.close();
  }
}

main().catch((err: unknown) => {
  say(`eval:skin: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
