/**
 * npx tsx scripts/held-goals-chain.ts [--seeds 8] [--first-seed 1] [--chain "put a hat on him|add eyeglasses|no beard"] [--models-dir models]
 *
 * A chain of replies through the engine with the shipped models (as the chat runs it), per seed: F's
 * probabilities of every goal the chain asked for after each reply, and after the last reply the same face
 * drawn again without the held goals (docs/held-goals.md), as faces were drawn before them. A goal is met at
 * its line: P ≥ 0.82 for a target asked for (LEVEL_LOGIT 1.5), ≤ 0.18 for one asked against.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine, faceLatentFor } from '../src/conversation/engine.js';
import type { EngineReply } from '../src/conversation/types.js';
import type { AttributeName } from '../src/face/attributes.js';
import type { Edit, FaceRecord } from '../src/face/record.js';
import { parseDescription } from '../src/grammar/index.js';
import { LEVEL_LOGIT, readingLogit, type FaceReading } from '../src/latent/steer.js';
import { sigmoid } from '../src/latent/vector.js';
import { engineModels, loadFaceModels } from '../src/render/models.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '8' }, 'first-seed': { type: 'string', default: '1' },
    chain: { type: 'string', default: 'put a hat on him|add eyeglasses|no beard' }, 'models-dir': { type: 'string', default: 'models' },
  },
});
const steps = values.chain!.split('|').map((s) => s.trim()).filter(Boolean);
const count = Number(values.seeds);
const first = Number(values['first-seed']);
if (steps.length < 2 || !Number.isInteger(count) || count < 1 || !Number.isInteger(first) || first < 0) {
  throw new Error('usage: --seeds N (≥ 1) --first-seed S (≥ 0) --chain "a|b|c" (two replies or more)');
}

/** The target goals each step asks for (the attribute and its sign), in order. */
const goals: Array<{ name: AttributeName; up: boolean; step: string }> = steps.flatMap((step) => {
  const p = parseDescription(step);
  return (Object.keys(p.weights) as AttributeName[])
    .filter((n) => p.mode[n] === 'target' && n !== 'Male')
    .map((name) => ({ name, up: p.weights[name]! > 0, step }));
});

const line = sigmoid(LEVEL_LOGIT);
const met = (g: (typeof goals)[number], r: FaceReading) => {
  const p = sigmoid(readingLogit(r, g.name) ?? Number.NaN);
  return g.up ? p >= line : p <= 1 - line;
};
const show = (r: FaceReading) => goals.map((g) => `${g.name} ${Math.round(100 * sigmoid(readingLogit(r, g.name) ?? Number.NaN))}%${met(g, r) ? '✓' : '✗'}`).join(' ');

/** The face as it was drawn before held goals: the same edits without Edit.held. */
function withoutHeld(f: FaceRecord): FaceRecord {
  return {
    ...f, edits: f.edits.map((e) => {
      const copy: Edit = { ...e };
      delete copy.held;
      return copy;
    }),
  };
}

/** A reply that drew no face: ends that seed's chain. */
class NoFace extends Error {}

function face(r: EngineReply): FaceRecord {
  if (r.kind !== 'face') throw new NoFace(r.text);
  return r.face;
}

async function main(): Promise<void> {
  const models = await loadFaceModels({
    modelsDir: path.resolve(values['models-dir']!), provider: 'cpu', renderSize: 64, queueCapacity: 64, maxBatch: 32, timeoutMs: 600_000,
  });
  const engine = createEngine({ store: openSqliteStore(':memory:'), ...engineModels(models), now: () => 1 });
  const read = async (f: Pick<FaceRecord, 'seed' | 'edits' | 'truncation' | 'jitter' | 'origin'>) => {
    const { steer } = await faceLatentFor(f, models.axes, models.scorer);
    return steer!.reading;
  };
  const tally = { held: 0, without: 0, seeds: 0, keptHeld: 0, hadHeld: 0, keptWithout: 0, hadWithout: 0, lastHeld: 0, lastWithout: 0 };
  const earlier = goals.filter((g) => g.step !== steps.at(-1));
  console.log(`chain: ${steps.map((s) => `"${s}"`).join(' → ')}; met: P ≥ ${Math.round(100 * line)}% (≤ ${Math.round(100 * (1 - line))}% against)`);
  try {
    for (let seed = first; seed < first + count; seed++) {
      const ctx = { userId: `seed-${seed}` };
      try {
        let last = face(await engine.describe(ctx, steps[0]!, seed));
        const said: string[] = [];
        let before = { held: await read(last), without: await read(withoutHeld(last)) };
        for (const step of steps.slice(1)) {
          if (step === steps.at(-1)) break;
          last = face(await engine.refine(ctx, step));
          before = { held: await read(last), without: await read(withoutHeld(last)) };
          said.push(`after "${step}": held ${show(before.held)} | without ${show(before.without)}`);
        }
        last = face(await engine.refine(ctx, steps.at(-1)!));
        const held = await read(last);
        const without = await read(withoutHeld(last));
        tally.seeds++;
        if (earlier.every((g) => met(g, held))) tally.held++;
        if (earlier.every((g) => met(g, without))) tally.without++;
        for (const g of earlier) {
          if (met(g, before.held)) { tally.hadHeld++; if (met(g, held)) tally.keptHeld++; }
          if (met(g, before.without)) { tally.hadWithout++; if (met(g, without)) tally.keptWithout++; }
        }
        const lastGoals = goals.filter((g) => g.step === steps.at(-1));
        if (lastGoals.every((g) => met(g, held))) tally.lastHeld++;
        if (lastGoals.every((g) => met(g, without))) tally.lastWithout++;
        console.log(`seed ${seed}: ${said.join('\n  ')}\n  after "${steps.at(-1)}": held ${show(held)} | without ${show(without)}`);
      } catch (err) {
        // a reply that draws nothing ("Nothing changed: the face already is …") ends this seed's chain
        if (!(err instanceof NoFace)) throw err;
        console.log(`seed ${seed}: skipped, ${err.message}`);
      }
    }
    console.log(`earlier goals all met after the last reply: ${tally.held}/${tally.seeds} seeds with held goals, ${tally.without}/${tally.seeds} without`);
    console.log(`earlier goals met before the last reply and still met after it: ${tally.keptHeld}/${tally.hadHeld} with held goals, ${tally.keptWithout}/${tally.hadWithout} without`);
    console.log(`the last reply's own goals met: ${tally.lastHeld}/${tally.seeds} seeds with held goals, ${tally.lastWithout}/${tally.seeds} without`);
  } finally {
    await models.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
