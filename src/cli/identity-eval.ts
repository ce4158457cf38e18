/**
 * The identity hold's measure (npm run eval:identity, docs/identity-hold.md): faces described and refined as the
 * engine does (the seed search starts each description, each refinement is steered from its parent through the
 * steer cache), on fixed seeds, with and without the hold, read by the identity network.
 */
import { editFrom, searchedEdits } from '../conversation/engine.js';
import type { Edit } from '../face/record.js';
import { parseDescription } from '../grammar/index.js';
import { withHeldGoals } from '../conversation/held-goals.js';
import type { AxisSet } from '../latent/axes.js';
import { embeddingDistance } from '../latent/identity-hold.js';
import { SteerCache, prefixKeys, steerFaceCached } from '../latent/steer-cache.js';
import { goalsMet, type FaceReading, type GoalName, type ReadFaces, type SteerResult } from '../latent/steer.js';
import type { FaceScorer } from '../render/types.js';
import { noticeable } from '../conversation/wording.js';

/** A description, then one refinement or a chain of them, each a reply to the face before. */
export interface IdentityCase {
  describe: string;
  refine: string[];
}

/** The issue's cases (issue 25): five single refinements, the chain of three, and the chain that must keep a hat and glasses. */
export const IDENTITY_CASES: IdentityCase[] = [
  { describe: 'a man', refine: ['make him younger'] },
  { describe: 'a man', refine: ['add glasses'] },
  { describe: 'a man with a beard', refine: ['no beard'] },
  { describe: 'a woman with blonde hair', refine: ['red hair'] },
  { describe: 'a woman', refine: ['make her 60 years old'] },
  { describe: 'a man', refine: ['make him younger', 'add glasses', 'give him a hat'] },
  { describe: 'a man', refine: ['put a hat on him', 'add eyeglasses', 'no beard'] },
  { describe: 'a woman', refine: ['make her older'] },
];

/** One refinement of one seed's face. */
export interface StepResult {
  /** Identity distance from the face's first render (the described face). */
  drift: number;
  /** Every goal of this refinement met, by F (the loop's own test). */
  reached: boolean;
  /** The identity hold gave up part of a goal. */
  someoneElse: boolean;
  /** No shortfall the reply would tell (src/conversation/wording.ts noticeable): what the user sees as reached. */
  noneTold: boolean;
  /**
   * Goals of the earlier edits (the description's too) that were met when made and that the later words do not
   * name again, and how many of them are still met.
   */
  earlierMet: number;
  earlierKept: number;
  passes: number;
  ms: number;
}

export interface SeedResult {
  seed: number;
  /** Identity distance between this seed's described face and the next seed's (two people from the same words). */
  otherPerson: number;
  steps: StepResult[];
}

/** Whether an edit's words name a goal again (the same attribute; any age word for an age): they override it. */
function overrides(e: Edit, goal: GoalName): boolean {
  return goal === 'Age' ? e.age !== undefined || e.weights.Young !== undefined : e.weights[goal] !== undefined;
}

const edit = (words: string, refining: boolean): Edit => editFrom(words, parseDescription(words), refining);

/** The described face of each seed (searched and steered as the engine does), shared by both arms. */
export async function describeFaces(
  c: IdentityCase, seeds: readonly number[], axes: AxisSet, scorer: FaceScorer, read: ReadFaces, truncation: number, cache: SteerCache,
  /** The seed search's picks by description, seed and ψ, kept between runs (they do not depend on the identity network). */
  searched?: Map<string, Edit[]>,
): Promise<Array<{ seed: number; edits: Edit[]; truncation: number; state: SteerResult }>> {
  const out = [];
  for (const seed of seeds) {
    const fields = { seed, edits: [edit(c.describe, false)], truncation };
    const key = `${c.describe}|${seed}|${truncation}`;
    const edits = searched?.get(key) ?? await searchedEdits(fields, axes, scorer, read);
    searched?.set(key, edits);
    const face = { seed, edits, truncation };
    out.push({ ...face, state: await steerFaceCached(face, axes, read, cache) });
  }
  return out;
}

const identityOf = (r: FaceReading): Float32Array => {
  if (!r.identity) throw new Error('the scorer does not read identity: load the models with an identity network');
  return r.identity;
};

/** The refinements of one case on described faces, steered with `axes` (with or without the identity hold). */
export async function refineFaces(
  c: IdentityCase, described: Awaited<ReturnType<typeof describeFaces>>, axes: AxisSet, read: ReadFaces,
): Promise<SeedResult[]> {
  const results: SeedResult[] = [];
  for (const [n, d] of described.entries()) {
    const cache = new SteerCache();
    cache.set(prefixKeys(d).at(-1)!, d.state);
    const origin = identityOf(d.state.reading);
    const other = identityOf(described[(n + 1) % described.length]!.state.reading);
    const edits = [...d.edits];
    const readings: FaceReading[] = [d.state.reading];
    // each goal met when its edit was made (the description's too), with the reading before that edit
    const met: Array<{ goal: GoalName; edit: Edit; before: FaceReading }> = [];
    const record = (e: Edit, before: FaceReading, after: FaceReading) => {
      const { goals, unmet } = goalsMet(e, before, after, axes);
      for (const goal of goals) if (!unmet.includes(goal)) met.push({ goal, edit: e, before });
    };
    record(edits[0]!, d.state.reading, d.state.reading);
    const steps: StepResult[] = [];
    for (const words of c.refine) {
      // as the engine refines (src/conversation/engine.ts): the earlier edits' goals are held too (docs/held-goals.md)
      const e = withHeldGoals(edits, edit(words, true));
      edits.push(e);
      const before = readings.at(-1)!;
      const t0 = performance.now();
      const r = await steerFaceCached({ seed: d.seed, edits, truncation: d.truncation }, axes, read, cache);
      const ms = performance.now() - t0;
      // a goal the new words name again is overridden ("red hair" after "blonde"), not lost
      for (let i = met.length - 1; i >= 0; i--) if (overrides(e, met[i]!.goal)) met.splice(i, 1);
      const kept = met.filter((m) => !goalsMet(m.edit, m.before, r.reading, axes).unmet.includes(m.goal)).length;
      steps.push({
        drift: embeddingDistance(identityOf(r.reading), origin), reached: r.shortfalls.length === 0,
        noneTold: r.shortfalls.filter(noticeable).length === 0,
        someoneElse: r.shortfalls.some((s) => s.someoneElse), earlierMet: met.length, earlierKept: kept, passes: r.passes, ms,
      });
      record(e, before, r.reading);
      readings.push(r.reading);
    }
    results.push({ seed: d.seed, otherPerson: embeddingDistance(origin, other), steps });
  }
  return results;
}

/** A case's numbers on its seeds, per refinement step. */
export interface CaseSummary {
  words: string;
  seeds: number;
  steps: Array<{
    words: string;
    /** Share of seeds whose face is within `threshold` of its first render. */
    samePerson: number;
    /** The same within the loose threshold (the network's best-accuracy one), when given. */
    samePersonLoose?: number;
    /** Share of seeds whose face is closer to its first render than the next seed's face from the same words is. */
    closerThanOther: number;
    medianDrift: number;
    reached: number;
    noneTold: number;
    someoneElse: number;
    /** Earlier goals still met, of those met when made (all seeds together). */
    earlierKept: number;
    earlierMet: number;
    meanPasses: number;
    meanMs: number;
  }>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export function summarise(c: IdentityCase, results: readonly SeedResult[], threshold: number, loose?: number): CaseSummary {
  const share = (f: (r: SeedResult, k: number) => boolean, k: number) => results.filter((r) => f(r, k)).length / Math.max(1, results.length);
  return {
    words: `"${c.describe}" → ${c.refine.map((w) => `"${w}"`).join(' → ')}`,
    seeds: results.length,
    steps: c.refine.map((words, k) => ({
      words,
      samePerson: share((r) => r.steps[k]!.drift <= threshold, k),
      ...(loose !== undefined ? { samePersonLoose: share((r) => r.steps[k]!.drift <= loose, k) } : {}),
      closerThanOther: share((r) => r.steps[k]!.drift < r.otherPerson, k),
      medianDrift: median(results.map((r) => r.steps[k]!.drift)),
      reached: share((r) => r.steps[k]!.reached, k),
      noneTold: share((r) => r.steps[k]!.noneTold, k),
      someoneElse: share((r) => r.steps[k]!.someoneElse, k),
      earlierKept: results.reduce((a, r) => a + r.steps[k]!.earlierKept, 0),
      earlierMet: results.reduce((a, r) => a + r.steps[k]!.earlierMet, 0),
      meanPasses: mean(results.map((r) => r.steps[k]!.passes)),
      meanMs: mean(results.map((r) => r.steps[k]!.ms)),
    })),
  };
}
