/**
 * A one-message face as the chat and the bot make it (issue 24 part 5): engine.describe with the shipped
 * models (the seed search, the critic-guarded loop, the identity network, the reply's render and PNG), p50/p90
 * over many seeds, and where the time goes: what each network (G, F, the critic, the identity network) ran, how
 * many times and for how long, per face. Then the search's cost per candidate.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../src/conversation/engine.js';
import { engineModels, loadFaceModels } from '../src/render/models.js';
import { Generator } from '../src/render/generator.js';
import { Classifier } from '../src/render/classifier.js';
import { Critic } from '../src/render/critic.js';
import { IdentityNet } from '../src/render/identity.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { parseDescription } from '../src/grammar/index.js';
import { editFrom } from '../src/conversation/engine.js';
import { candidateLatent } from '../src/latent/candidates.js';
import { searchSeed, SEARCH_CANDIDATES, SEARCH_RENDERED, SEARCH_SCREENED } from '../src/latent/seed-search.js';
import type { ReadOptions } from '../src/latent/steer.js';
import { RECENT_FACES } from '../src/render/recent.js';
import { percentile } from './stats.js';

export const DESCRIBE_WORDS = ['an old man with glasses, smiling', 'a young woman with blond hair', 'a 70 year old man', 'a young woman with glasses and a hat', 'a south asian man'];

interface Tally {
  calls: number;
  faces: number;
  ms: number;
}

/** Wraps a method of a class so that its calls, the faces they carried and their time are tallied (undone by the returned function). */
function tally<T extends object>(proto: T, method: keyof T & string, faces: (args: unknown[]) => number, into: Tally): () => void {
  const original = proto[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  (proto as Record<string, unknown>)[method] = async function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      into.calls++;
      into.faces += faces(args);
      into.ms += performance.now() - t0;
    }
  };
  return () => {
    (proto as Record<string, unknown>)[method] = original;
  };
}

const countOf = (args: unknown[]) => {
  const a = args[0] as { count?: number; length?: number };
  return a.count ?? a.length ?? 0;
};

export async function benchDescribe(modelsDir: string, faces = 30): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-describe-'));
  const store = openSqliteStore(path.join(dir, 'bench.db'));
  const models = await loadFaceModels({ modelsDir: path.resolve(modelsDir), provider: 'auto', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000, recentFaces: RECENT_FACES });
  const engine = createEngine({ store, ...engineModels(models) });
  const tallies = { G: zero(), F: zero(), critic: zero(), identity: zero() };
  const undo = [
    // G's own runs (faces it remembers are not drawn again: src/render/generator.ts; before that, every generate ran G)
    'run' in Generator.prototype ? tally(Generator.prototype as unknown as { run: unknown }, 'run', countOf, tallies.G)
      : tally(Generator.prototype, 'generate', countOf, tallies.G),
    tally(Classifier.prototype, 'read', countOf, tallies.F),
    tally(Critic.prototype, 'realness', countOf, tallies.critic),
    tally(IdentityNet.prototype, 'embed', countOf, tallies.identity),
  ];
  console.log(`one-message face through the engine (describe: search, guarded loop, identity network, reply render), ${faces} seeds each:`);
  try {
    await engine.describe({ userId: 'warm-up' }, 'a man', 1);
    for (const words of DESCRIBE_WORDS) {
      for (const t of Object.values(tallies)) Object.assign(t, zero());
      const ms: number[] = [];
      let cpu = 0;
      for (let s = 0; s < faces; s++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const reply = await engine.describe({ userId: `bench-${s}` }, words, 920_000 + s);
        ms.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu += (c.user + c.system) / 1000;
        if (reply.kind !== 'face') throw new Error(`describe "${words}" gave no face: ${reply.kind}`);
      }
      const per = (t: Tally) => `${(t.calls / faces).toFixed(1)} runs ${(t.faces / faces).toFixed(1)} faces ${(t.ms / faces).toFixed(1)} ms`;
      console.log(`  "${words}"`.padEnd(40) + ` p50 ${percentile(ms, 50).toFixed(1)} ms, p90 ${percentile(ms, 90).toFixed(1)} ms, ` +
        `CPU ${(cpu / faces).toFixed(0)} ms a face (all threads); per face: ` +
        Object.entries(tallies).map(([name, t]) => `${name} ${per(t)}`).join('; '));
    }
  } finally {
    for (const u of undo) u();
  }
  await searchPerCandidate(models);
  await models.close();
  await store.close();
}

function zero(): Tally {
  return { calls: 0, faces: 0, ms: 0 };
}

/** The seed search's cost per candidate: making a latent, the surrogate's screen, and the read of the best few. */
async function searchPerCandidate(models: Awaited<ReturnType<typeof loadFaceModels>>): Promise<void> {
  const words = 'a young woman with glasses and a hat';
  const edits = [editFrom(words, parseDescription(words))];
  const time = async (fn: () => Promise<unknown> | unknown, n = 20) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return (performance.now() - t0) / n;
  };
  const zDim = models.axes.zDim;
  const zs = Array.from({ length: 256 }, (_, i) => candidateLatent(3, 0, i, zDim));
  const made = await time(() => zs.map((_, i) => candidateLatent(3, 0, i, zDim)), 5);
  const surrogate = models.axes.surrogate;
  const predicted = surrogate?.predict ? await time(() => zs.map((z) => surrogate.predict!(z)), 3) : Number.NaN;
  const read = (z: Float32Array[], options?: ReadOptions) => models.scorer.read(z, options);
  let set = 1; // new latents each time: a face read before is remembered, not read again
  const reads = await time(() => read(Array.from({ length: SEARCH_RENDERED }, (_, i) => candidateLatent(3, set++, i, zDim)), { identity: false }));
  let seed = 5;
  const whole = await time(() => searchSeed({ seed: seed++, edits, truncation: 0.8 }, models.axes, (z) => read(z, { identity: false })));
  console.log(`  the search per candidate: ${(1000 * made / 256).toFixed(1)} µs to make one (×${SEARCH_CANDIDATES}), ` +
    `${(1000 * predicted / 256).toFixed(0)} µs a surrogate screen (×${SEARCH_SCREENED}), ${(reads / SEARCH_RENDERED).toFixed(1)} ms a G+F read ` +
    `(×${SEARCH_RENDERED}, one batch of ${reads.toFixed(1)} ms); the whole search ${whole.toFixed(1)} ms`);
}
