import type { AttributeName } from '../face/attributes.js';
import { reliableOnlyOn, type AxisSet } from './axes.js';
import {
  applyEdit, COORD_LIMIT, keepInRange, moveAlong, namedBy, type EditOptions,
} from './edit.js';
import type { Edit, FaceRecord } from '../face/record.js';
import { seedLatent } from './jitter.js';
import { truncate } from './truncation.js';
import { dot, gramSchmidt, norm } from './vector.js';
import { betterPass, lessReal, realismBackoff } from './realism-guard.js';
import { heldGoalChecks } from './held-checks.js';
import { appearanceLast } from './appearance-last.js';
import { asksForAnotherPerson, identityHoldFor, nextAnchor, withAnchorIdentity } from './identity-hold.js';
import { MOVES_OFF_LIGHT, movesOffLight, offSceneLight } from './scene-light.js';
import { readingLogit, type FaceReading, type ReadFaces } from './reading.js';
import {
  axesForFace, badness, checksFor, genderPicksAxes, miss, unmet, type Check, type GoalName, type Shortfall,
} from './goal-checks.js';

export { batchReads } from './read-batch.js';
// what the loop reads and checks, in their own modules; named here too, where every caller has found them
export { readingLogit, type FaceReading, type ReadFaces, type ReadOptions } from './reading.js';
export {
  AGE_TOL, APPEARANCE_RISE, axesForFace, goalsMet, GUARD_P, HOLD_P, HOLD_YEARS, holdBand, LEVEL_LOGIT, MAX_LEVEL_LOGIT,
  RISES_FROM_START, STEP_LOGIT, type Check, type GoalName, type Shortfall,
} from './goal-checks.js';

/**
 * Closed-loop edits, in z (the generator's input; there is no w space in this G).
 *
 * The axes are those of the face's gender (AxisSet.forGender, F's reading before the edit) when axes.json has
 * directions per gender and the words do not ask for a gender: G varies eyebrows, noses or make-up along other
 * directions on men's faces than on women's, and the population's axis is their mix.
 * applyEdit makes the open-loop linear move. Then the face is rendered and read (F's 40 logits and, when
 * F has one, its age head in years), and every goal of the edit is checked:
 * - a target weight w: F's logit at least LEVEL_LOGIT·w (w > 0) or at most it (w < 0): "with glasses" is
 *   reached when F sees glasses at p ≥ 0.82, whatever the seed;
 * - a step weight w: the logit moved by STEP_LOGIT·w from where the face was before the edit;
 * - an age: the years asked for (exact ±AGE_TOL, a floor, a ceiling, or a move in years);
 * and every held attribute (the face's locks, and Male, Young and Smiling unless the words name them; for Young,
 * the age in years when the models read it) stays within HOLD_P of its probability before the edit (HOLD_YEARS
 * for the age): a band in probability, so a face F reads as clearly a man may move a little in logit
 * without a correction pass, and a face F reads as 50/50 is held tight (±0.2 logit).
 * Whatever misses gets a correction along its axis (goal axes projected off held ones, held axes off the
 * goal ones), sized by the axis's measured gain and then by a secant on what the last pass did. With a
 * surrogate of F(G(z)) (models/surrogate.json, AxisSet.surrogate), each pass takes every check's direction
 * from the surrogate's gradient at the face's current z instead (the direction F's reading of this face rises
 * along, not the population's straight axis), sized by the gradient's length times what the secant learned of
 * how far the face's answer differs from the surrogate's; outputs it does not model (an added attribute whose probe
 * was learned again since the surrogate was fitted, or a surrogate from before the probes) keep their axes. F's reading of the rendered face still decides every check. At most
 * MAX_PASSES passes; the best pass wins. A correction moves at most STEP_CAP along its axis per pass and
 * CHECK_BUDGET in all; an axis that did not answer two corrections in a row (G cannot draw it) is not pushed
 * again and its corrections are taken back; no goal coordinate goes past COORD_LIMIT spreads. So a face does not leave the region where G
 * draws faces, and one unreachable goal does not use up the others' moves. If a held attribute is still out
 * of its band after the passes (G cannot draw the goal without it: a beard makes F read a man, whatever else
 * the loop does), the edit is scaled back toward the face it started from (BACKOFF, read in one batched
 * pass) to the largest part of it that keeps every hold: the hold wins, the goal is reported as missed.
 * Locks the user asked for win so within their band; the engine's own Male hold within a wider one (GUARD_P:
 * no gender flip by accident), and not when the words ask for a gender or an age ("a woman" on a face G can
 * only make female by making it younger: the engine's holds are then soft, corrected but weighing little in
 * picking the best pass); the engine's own age hold is corrected but never restored so.
 * An edit that carries the goals of earlier edits (Edit.held, docs/held-goals.md) holds them too (./held-checks.ts).
 * An appearance asked for with other words ("a south asian man") is steered last, from the face the other words
 * draw, holding them (./appearance-last.ts).
 * Goals still missed are returned, for the reply to say ("glasses: weak in this model").
 *
 * Replays are deterministic: the same seed, edits and models give the same latent.
 * The checks (goals, holds, their intervals, which pass is best) are ./goal-checks.ts; what is read, ./reading.ts.
 */


export const MAX_PASSES = 3;
/** Largest correction along one axis in one pass, and in all passes of one edit (z units). */
export const STEP_CAP = 1.5;
export const CHECK_BUDGET = 3;
/** The parts of an edit tried, in one batch, when the loop's best face still breaks a hold. */
export const BACKOFF = [0.75, 0.5, 0.25] as const;

export interface SteerResult {
  z: Float32Array;
  reading: FaceReading;
  /** Goals of the last edit that were not reached. */
  shortfalls: Shortfall[];
  /** G+F passes used (all edits). */
  passes: number;
  /** The identity embedding a next refinement is held to (./identity-hold.ts: the chain's first render), when read. */
  anchor?: Float32Array;
}


/**
 * Applies one edit to z with the loop. `known` is F's reading of z when the caller has it (the previous
 * edit's result); without it, z and the linear move are read together in one G+F pass (a batch of two costs
 * less than two passes), unless the axes have directions per gender and the words leave the gender alone:
 * then z is read first (one more pass), since the face's gender picks the directions. Returns the best face
 * found, F's reading of it and of z (`before`), and the goals missed.
 */
export async function steerEdit(
  z: Float32Array,
  known: FaceReading | undefined,
  edit: Edit,
  allAxes: AxisSet,
  locks: ReadonlySet<AttributeName>,
  read: ReadFaces,
  options: EditOptions = {},
  /** The identity the edit is held to (./identity-hold.ts), when the axes hold identity. */
  anchor?: Float32Array,
): Promise<EditResult> {
  // an appearance asked for with other words rises from the face the other words draw (./appearance-last.ts)
  const split = appearanceLast(edit, options);
  if (!split) return strip(await steerOnce(z, known, edit, allAxes, locks, read, options, anchor));
  // words that ask for another person ("a south asian woman" said of a man) are not held to who the face was, in
  // either part (the appearance part alone no longer names the gender)
  const held = asksForAnotherPerson(edit) ? undefined : anchor;
  const rest = await steerOnce(z, known, split.rest, allAxes, locks, read, options, held);
  const last = await steerOnce(rest.z, rest.reading, split.appearance, allAxes, locks, read, options, held);
  // every goal of the first part is judged again on the face the second part drew
  const named = new Set(last.shortfalls.map((s) => s.name));
  const still = rest.goals.filter((c) => !named.has(c.name) && unmet(c, last.reading)).map((c) => ({
    ...(rest.shortfalls.find((s) => s.name === c.name) ?? shortfallOf(c)), reached: c.value(last.reading) ?? Number.NaN,
  }));
  return { z: last.z, reading: last.reading, before: rest.before, shortfalls: [...still, ...last.shortfalls], passes: rest.passes + last.passes };
}

/** What steerEdit returns: the face, F's reading of it and of the face before the edit, the goals missed, the passes. */
type EditResult = { z: Float32Array; reading: FaceReading; before: FaceReading; shortfalls: Shortfall[]; passes: number };

const strip = ({ goals: _goals, ...result }: EditResult & { goals: Check[] }): EditResult => result;

/** A goal missed, as the reply says it: what was wanted and which way. */
function shortfallOf(c: Check): Pick<Shortfall, 'name' | 'direction' | 'wanted'> {
  return { name: c.name, direction: c.direction, wanted: c.direction === 'down' ? c.hi : c.direction === 'up' ? c.metAt ?? c.lo : (c.lo + c.hi) / 2 };
}

async function steerOnce(
  z: Float32Array,
  known: FaceReading | undefined,
  edit: Edit,
  allAxes: AxisSet,
  locks: ReadonlySet<AttributeName>,
  read: ReadFaces,
  options: EditOptions,
  anchor?: Float32Array,
): Promise<EditResult & { goals: Check[] }> {
  const keeper = identityHoldFor(allAxes.identityHold, anchor, edit);
  // the identity network is read only while the edit is held to an anchor (a new face's loop holds nothing)
  const readFaces: ReadFaces = (zs) => read(zs, { identity: keeper !== undefined });
  let passes = 0;
  let startReading = known;
  if (!startReading && genderPicksAxes(allAxes, edit)) {
    startReading = (await readFaces([z]))[0]!;
    passes++;
  }
  const axes = axesForFace(allAxes, edit, startReading);
  // a skin-tone goal moves off the scene's light as well as the held axes (./scene-light.ts)
  const offLight = (name: GoalName, basis: Float64Array[]) =>
    offSceneLight(basis, axes.sceneLight, name !== 'Age' && movesOffLight(name, edit.weights[name]));
  let current = keepInRange(applyEdit(z, edit, axes, locks, options));
  const first = await readFaces(startReading ? [current] : [z, current]);
  const before = startReading ?? first[0]!;
  let reading = first.at(-1)!;
  passes++;
  // the goals of earlier edits this edit carries are held too (docs/held-goals.md)
  const checks = [...checksFor(edit, before, axes, locks, options), ...heldGoalChecks(edit, before, axes)];
  let best = { z: current, reading, bad: badness(checks, reading) };
  keeper?.startFrom(before);
  keeper?.see(best);
  /** Whether the realism guard turned down a face this edit drew (./realism-guard.ts): said with the goals missed. */
  let unreal = lessReal(reading, before);
  const gains = checks.map((c) => c.gain);
  const spent = checks.map(() => 0);
  const stuck = checks.map(() => false);
  const unanswered = checks.map(() => 0);
  const surrogate = allAxes.surrogate;
  /**
   * What each check's corrections moved so far, taken back when the check is stuck: along the axes, the change of
   * its coordinate; with a surrogate (whose directions change from pass to pass), the change of z itself.
   */
  const applied = checks.map(() => 0);
  const appliedVec = surrogate ? checks.map(() => new Float64Array(z.length)) : [];
  /** With a surrogate: how far each check's real answer differs from the surrogate's predicted slope (the secant's). */
  const ratio = checks.map(() => 1);
  const moved = (i: number) => (surrogate ? norm(appliedVec[i]!) > 0 : applied[i] !== 0);
  const movable = (i: number) => !stuck[i] && spent[i]! < CHECK_BUDGET;
  while (passes <= MAX_PASSES && (best.bad > 0 || keeper?.within(best.reading) === false)) {
    const undo = checks.map((_, i) => stuck[i] && moved(i));
    const drifted = keeper?.within(reading) === false;
    if (!drifted && !checks.some((c, i) => (miss(c, reading) !== 0 && movable(i)) || undo[i])) break;
    // this pass's direction and gain per check: the surrogate's gradient at this face where it has one, else the axis
    const local = surrogate ? surrogate.gradients(current, checks.map((c) => c.name)) : checks.map(() => undefined);
    const slope = local.map((g) => (g ? norm(g) : 0));
    const dirs = checks.map((c, i) => (slope[i]! > 1e-6 ? Float32Array.from(local[i]!, (v) => v / slope[i]!) : c.vector));
    const gainNow = checks.map((_, i) => (slope[i]! > 1e-6 ? slope[i]! * ratio[i]! : gains[i]!));
    const isLocal = (i: number) => slope[i]! > 1e-6;
    const out = Float64Array.from(current);
    const goals = checks.filter((c) => c.kind === 'goal');
    const holds = checks.filter((c) => c.kind === 'hold');
    const prevCoords = checks.map((_, i) => dot(current, dirs[i]!));
    const prevValues = checks.map((c) => c.value(reading));
    // goals move off the held axes (a skin tone off the scene's light too, ./scene-light.ts); holds move off the goal axes
    let basis = gramSchmidt(holds.map((c) => dirs[checks.indexOf(c)]!));
    const cap = (i: number, delta: number) => {
      const room = Math.min(STEP_CAP, CHECK_BUDGET - spent[i]!);
      return Math.max(-room, Math.min(room, delta));
    };
    for (const c of goals) {
      const m = miss(c, reading);
      const i = checks.indexOf(c);
      const v = dirs[i]!;
      const start = surrogate ? Float64Array.from(out) : undefined;
      const from = dot(out, c.vector);
      if (undo[i]) {
        // G did not answer: take back this goal's corrections, so they do not bend the rest of the face
        if (surrogate) for (let d = 0; d < out.length; d++) out[d]! -= appliedVec[i]![d]!;
        else moveAlong(out, c.vector, -applied[i]!, offLight(c.name, basis));
      } else if (m !== 0 && movable(i) && isLocal(i)) {
        spent[i]! += moveAlong(out, v, cap(i, m / gainNow[i]!), offLight(c.name, basis));
      } else if (m !== 0 && movable(i)) {
        const axis = c.name === 'Age' ? axes.age : axes.get(c.name as AttributeName);
        const mean = axis?.coordMean ?? 0;
        const spread = axis?.coordStd ?? 1;
        const wanted = Math.min(mean + COORD_LIMIT * spread, Math.max(mean - COORD_LIMIT * spread, from + cap(i, m / gains[i]!)));
        spent[i]! += moveAlong(out, c.vector, wanted - from, offLight(c.name, basis));
      }
      if (surrogate) {
        if (undo[i]) appliedVec[i]!.fill(0);
        else for (let d = 0; d < out.length; d++) appliedVec[i]![d]! += out[d]! - start![d]!;
      } else {
        applied[i] = undo[i] ? 0 : applied[i]! + dot(out, c.vector) - from;
      }
      basis = gramSchmidt([...basis, v]);
    }
    const goalBasis = gramSchmidt(goals.map((c) => dirs[checks.indexOf(c)]!));
    for (const c of holds) {
      const m = miss(c, reading);
      const i = checks.indexOf(c);
      // a skin tone held (a lock, or an earlier edit's goal) keeps the scene's light as well
      const off = offSceneLight(goalBasis, axes.sceneLight, MOVES_OFF_LIGHT.has(c.name));
      if (m !== 0 && movable(i)) spent[i]! += moveAlong(out, dirs[i]!, cap(i, m / gainNow[i]!), off);
    }
    // a face drifting from who it was is pulled back toward the start off the goals' directions (./identity-hold.ts)
    keeper?.pull(out, z, reading, goalBasis);
    const next = keepInRange(Float32Array.from(out));
    const nextReading = (await readFaces([next]))[0]!;
    passes++;
    // secant: what this pass did per unit of coordinate, kept within 1/4..4 times the first guess (with a
    // surrogate: of its prediction); an axis that hardly answered a real push is stuck (G cannot draw more of it from here)
    checks.forEach((c, i) => {
      const dc = dot(next, dirs[i]!) - prevCoords[i]!;
      const v0 = prevValues[i];
      const v1 = c.value(nextReading);
      if (Math.abs(dc) < 0.05 || v0 === undefined || v1 === undefined) return;
      const s = (v1 - v0) / dc;
      const expected = isLocal(i) ? slope[i]! : c.gain;
      if (s > 0 && isLocal(i)) ratio[i] = Math.min(4, Math.max(1 / 4, s / slope[i]!));
      else if (s > 0) gains[i] = Math.min(4 * c.gain, Math.max(c.gain / 4, s));
      // twice in a row: once may be another axis's move pulling the other way
      unanswered[i] = Math.abs(dc) >= 0.3 && s < 0.1 * expected ? unanswered[i]! + 1 : 0;
      if (unanswered[i]! >= 2) stuck[i] = true;
    });
    current = next;
    reading = nextReading;
    const bad = badness(checks, reading);
    unreal ||= lessReal(reading, before);
    keeper?.see({ z: current, reading, bad });
    if (betterPass(reading, bad, best, before)) best = { z: current, reading, bad };
  }
  // the holds the back-off restores, each to its guard band (see Check.guard)
  const holds = checks.filter((c) => c.guard !== undefined);
  const guardMiss = (c: Check, r: FaceReading) => Math.abs(miss({ ...c, ...c.guard! }, r));
  const holdMiss = (r: FaceReading) => holds.reduce((sum, c) => sum + guardMiss(c, r) / (c.name === 'Age' ? 3 : 1), 0);
  let heldBack: GoalName[] = [];
  if (holds.length > 0 && holdMiss(best.reading) > 0) {
    const broken = holds.filter((c) => guardMiss(c, best.reading) !== 0).map((c) => c.name);
    const tries = BACKOFF.map((a) => keepInRange(Float32Array.from(z, (v, i) => v + a * (best.z[i]! - v))));
    const readings = await readFaces(tries);
    passes++;
    const kept = readings.findIndex((r) => holdMiss(r) === 0);
    const pick = kept >= 0 ? kept : readings.reduce((b, r, i) => (holdMiss(r) < holdMiss(readings[b]!) ? i : b), 0);
    if (kept >= 0 || holdMiss(readings[pick]!) < holdMiss(best.reading)) {
      best = { z: tries[pick]!, reading: readings[pick]!, bad: badness(checks, readings[pick]!) };
      heldBack = broken;
    }
  }
  // the identity hold: part of the goal is given up before who the face is (./identity-hold.ts)
  const unheld = best;
  const heldIdentity = keeper && (await keeper.settle(z, before, best, goalDirections(checks, best.z, surrogate), (r) => badness(checks, r), readFaces));
  if (heldIdentity) passes += heldIdentity.reads;
  if (heldIdentity) best = heldIdentity.face;
  // the realism guard: a face clearly less real than before the edit is scaled back (./realism-guard.ts)
  const real = await realismBackoff(z, best, before, readFaces);
  if (real) {
    best = { ...real, bad: badness(checks, real.reading) };
    passes++;
  }
  const shortfalls = checks
    .filter((c) => c.kind === 'goal' && unmet(c, best.reading))
    .map((c) => ({
      ...shortfallOf(c),
      reached: c.value(best.reading) ?? Number.NaN,
      ...(heldBack.length > 0 ? { heldBack } : {}),
      ...(real || unreal ? { unreal: true as const } : {}),
      ...drawnOnOther(c.name, best.reading, axes),
      // blamed on the identity hold only when the hold left this goal further off than the loop's own best face
      ...(heldIdentity && Math.abs(miss(c, best.reading)) > Math.abs(miss(c, unheld.reading)) + 1e-6
        ? { someoneElse: (readingLogit(best.reading, 'Male') ?? 0) >= 0 ? 'him' as const : 'her' as const } : {}),
    }));
  return { z: best.z, reading: best.reading, before, shortfalls, passes, goals: checks.filter((c) => c.kind === 'goal') };
}

/** Each goal's direction at z: the surrogate's gradient where it models the goal, else the goal's axis. */
function goalDirections(checks: readonly Check[], z: Float32Array, surrogate: AxisSet['surrogate']): Float32Array[] {
  const goals = checks.filter((c) => c.kind === 'goal');
  const local = surrogate ? surrogate.gradients(z, goals.map((c) => c.name)) : [];
  return goals.map((c, i) => local[i] ?? c.vector);
}

/**
 * { drawnOn } when G draws `name` reliably on the other gender only (axes.json's split), the face's gender read by
 * F on the face the edit gives (the gender asked for, when the words ask for one: "a woman with a beard").
 */
function drawnOnOther(name: GoalName, face: FaceReading, axes: AxisSet): Pick<Shortfall, 'drawnOn'> {
  const only = name === 'Age' ? undefined : reliableOnlyOn(axes.get(name));
  const male = readingLogit(face, 'Male');
  if (!only || male === undefined) return {};
  return only !== (male >= 0 ? 'men' : 'women') ? { drawnOn: only } : {};
}

/**
 * The latent of a face with every edit steered: seed z (scaled by psi), then each edit in order, each
 * checked by F on the rendered face. Shortfalls are those of the last edit (earlier ones were reported when
 * they were made).
 */
export async function steerFace(
  face: Pick<FaceRecord, 'seed' | 'edits' | 'jitter' | 'origin'> & { truncation?: number },
  axes: AxisSet,
  read: ReadFaces,
  options: EditOptions = {},
): Promise<SteerResult> {
  let z = keepInRange(truncate(seedLatent(face, axes.zDim), face.truncation ?? 1));
  let reading: FaceReading | undefined;
  let passes = 0;
  let shortfalls: Shortfall[] = [];
  const locks = new Set<AttributeName>();
  let anchor: Float32Array | undefined;
  if (face.edits.length === 0) {
    reading = (await read([z], { identity: false }))[0]!;
    passes = 1;
  }
  for (const [i, edit] of face.edits.entries()) {
    const r = await steerEdit(z, reading, edit, axes, locks, read, { ...options, namedBefore: namedBy(face.edits.slice(0, i)) }, anchor);
    z = r.z;
    reading = await withAnchorIdentity(r.z, r.reading, i, edit, axes.identityHold, read);
    passes += r.passes;
    shortfalls = r.shortfalls;
    for (const l of edit.locks) locks.add(l);
    anchor = nextAnchor(anchor, i, edit, reading);
  }
  return { z, reading: reading!, shortfalls, passes, ...(anchor ? { anchor } : {}) };
}
