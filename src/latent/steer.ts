import { ATTRIBUTES, attributeIndex, isCelebaAttribute, type AttributeName } from '../face/attributes.js';
import { reliableOnlyOn, type AxisSet } from './axes.js';
import {
  ageMoveOf, applyEdit, COORD_LIMIT, heldAttributes, keepInRange, moveAlong, wantedYears, type EditOptions,
} from './edit.js';
import type { Edit, FaceRecord } from '../face/record.js';
import { seedLatent } from './jitter.js';
import { truncate } from './truncation.js';
import { dot, gramSchmidt, norm } from './vector.js';
import { betterPass, lessReal, realismBackoff } from './realism-guard.js';
import { heldGoalChecks } from './held-checks.js';
import { identityHoldFor, nextAnchor, withAnchorIdentity } from './identity-hold.js';
import { MOVES_OFF_LIGHT, movesOffLight, offSceneLight } from './scene-light.js';

export { batchReads } from './read-batch.js';

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
 * and every held attribute (the face's locks, and Male and Young unless the words name them; for Young,
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
 * Goals still missed are returned, for the reply to say ("glasses: weak in this model").
 *
 * Replays are deterministic: the same seed, edits and models give the same latent.
 */

/**
 * What F reads on one rendered face: 40 logits in CelebA order, the age head's years if present, and the
 * logits of the added attributes' probes on F's features (by name) when the models have any.
 */
export interface FaceReading {
  logits: Float32Array;
  age?: number;
  added?: Partial<Record<AttributeName, number>>;
  /** The realism guard's distance from real faces (src/latent/realism.ts; about 1 for a real crop), when the models have it. */
  realism?: number;
  /** The identity network's embedding of the face (src/render/identity.ts), when the scorer has it: the identity hold's measure. */
  identity?: Float32Array;
}

/** An attribute's logit on a reading: F's own for the 40, the probe's for an added one (undefined if not read). */
export function readingLogit(r: FaceReading, name: AttributeName): number | undefined {
  return isCelebaAttribute(name) ? r.logits[attributeIndex(name)] : r.added?.[name];
}

/**
 * What a read needs besides F's reading. `identity`: whether each face's identity embedding is wanted (the
 * identity hold's measure, about 11 ms a read): `true` or `false` for all the latents, or one flag per latent;
 * left out, the reader's default (the scorer reads it whenever it has the network).
 */
export interface ReadOptions {
  identity?: boolean | readonly boolean[];
}

/** Renders and reads latents (one G pass and one F pass for the batch). */
export type ReadFaces = (latents: Float32Array[], options?: ReadOptions) => Promise<FaceReading[]>;

export const LEVEL_LOGIT = 1.5;
export const MAX_LEVEL_LOGIT = 3;
export const STEP_LOGIT = 2.5;
/**
 * Appearance probes (learned on UTKFace photos, docs/skin-tone.md) whose level goal is also a rise from the face
 * the edit starts from: the probe reads many of G's faces far past any photo (the South_Asian probe reads 84 of
 * 200 plain "a man" at P > 0.95, logit 3–20), so "past the goal line" says nothing there, and the words must still
 * move the face toward what they asked for. White is not here: G's faces mostly read White already.
 */
export const RISES_FROM_START: ReadonlySet<string> = new Set(['Black', 'East_Asian', 'South_Asian']);
/** How far (logits) a RISES_FROM_START goal rises above the start's reading, at least. */
export const APPEARANCE_RISE = 1;
/** How far a held attribute's probability may move (F's reading, 0..1). */
export const HOLD_P = 0.05;
/** How far the engine's own Male hold may leave P(Male) before the back-off gives up part of the goal. */
export const GUARD_P = 0.15;
export const AGE_TOL = 3;
export const HOLD_YEARS = 4;
export const MAX_PASSES = 3;
/** Largest correction along one axis in one pass, and in all passes of one edit (z units). */
export const STEP_CAP = 1.5;
export const CHECK_BUDGET = 3;
/** Goals that are who the face is: an edit asking for one of them may move the other (see the back-off). */
const IDENTITY_GOALS: ReadonlySet<GoalName> = new Set<GoalName>(['Male', 'Young', 'Age']);
/** The parts of an edit tried, in one batch, when the loop's best face still breaks a hold. */
export const BACKOFF = [0.75, 0.5, 0.25] as const;

export type GoalName = AttributeName | 'Age';

/** A goal the loop could not reach: what was asked and what F reads on the best face it found. */
export interface Shortfall {
  name: GoalName;
  /** The attribute's logit (or years) the edit asked for, as a bound or a value. */
  wanted: number;
  reached: number;
  /** 'up': wanted more of it; 'down': less; 'exact': an exact age. */
  direction: 'up' | 'down' | 'exact';
  /** The holds the back-off kept by giving up part of this goal ("without changing the gender"). */
  heldBack?: GoalName[];
  /**
   * The gender G draws this attribute on, when the axis's calibration says it is reliable on that one only and
   * this face is of the other ("makeup: this model draws it on women's faces").
   */
  drawnOn?: 'women' | 'men';
  /** The realism guard scaled the edit back: more of it made the face clearly less real (./realism-guard.ts). */
  unreal?: true;
  /** The identity hold (./identity-hold.ts) gave up part of this goal: more of it would make him (her) someone else. */
  someoneElse?: 'him' | 'her';
}

/** One thing the loop checks on each pass: a goal of the edit, or a hold (exported for ./held-checks.ts). */
export interface Check {
  name: GoalName;
  kind: 'goal' | 'hold';
  /**
   * A hold that yields: one the engine adds (Male and age, not a lock the user asked for) while the words ask
   * for a gender or an age. It is still corrected, but weighs little in picking the best pass and is not
   * restored by the back-off.
   */
  soft?: boolean;
  /**
   * The band the back-off restores, when it restores this hold: a lock the user asked for, its own band;
   * the engine's Male hold, a wider one (GUARD_P: no gender flips by accident); the engine's age hold, none
   * (F's age head reads glasses, hats and hair colour as years).
   */
  guard?: { lo: number; hi: number };
  /**
   * A goal that aims past its line (RISES_FROM_START): the line it counts as met at, in the reply and for later
   * edits (the level the words asked for; the rise above it is the loop's aim, not a promise).
   */
  metAt?: number;
  /** Value now (logit or years). */
  value: (r: FaceReading) => number | undefined;
  /** Allowed interval. */
  lo: number;
  hi: number;
  direction: Shortfall['direction'];
  vector: Float32Array;
  /** Value change per unit of coordinate, first guess. */
  gain: number;
}

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

const logitOf = (name: AttributeName) => (r: FaceReading) => readingLogit(r, name);

/** The logit interval that keeps a held attribute within HOLD_P of its probability at `logit`. */
export function holdBand(logit: number, within = HOLD_P): { lo: number; hi: number } {
  const p = 1 / (1 + Math.exp(-logit));
  const toLogit = (q: number) => Math.log(q / (1 - q));
  return {
    lo: p - within <= 0 ? -Infinity : Math.min(logit, toLogit(p - within)),
    hi: p + within >= 1 ? Infinity : Math.max(logit, toLogit(p + within)),
  };
}

function checksFor(
  edit: Edit, before: FaceReading, axes: AxisSet, locks: ReadonlySet<AttributeName>, options: EditOptions,
): Check[] {
  const checks: Check[] = [];
  const ageMove = ageMoveOf(edit, axes);
  const readsAge = before.age !== undefined && axes.age !== undefined;
  let identityGoal = Boolean(ageMove && readsAge);
  // the 40 in F's order, then added attributes in the edit's order
  const added = (Object.keys(edit.weights) as AttributeName[]).filter((n) => !isCelebaAttribute(n));
  for (const name of [...ATTRIBUTES, ...added]) {
    const w = edit.weights[name];
    const axis = axes.get(name);
    if (w === undefined || !Number.isFinite(w) || w === 0 || !axis) continue;
    if (ageMove && name === 'Young' && readsAge) continue;
    const now = readingLogit(before, name);
    if (now === undefined) continue; // an added attribute this reader has no probe for: the linear move alone
    if (IDENTITY_GOALS.has(name)) identityGoal = true;
    const gain = axis.gain ?? 1;
    if (edit.mode[name] === 'step') {
      const to = now + STEP_LOGIT * w;
      checks.push({ name, kind: 'goal', value: logitOf(name), lo: w > 0 ? to : -Infinity, hi: w > 0 ? Infinity : to,
        direction: w > 0 ? 'up' : 'down', vector: axis.vector, gain });
    } else {
      const level = Math.sign(w) * Math.min(MAX_LEVEL_LOGIT, LEVEL_LOGIT * Math.abs(w));
      // not when an earlier edit of the chain named it (a studio slider, the same words again): that face is as asked
      const rises = w > 0 && RISES_FROM_START.has(name) && !options.namedBefore?.has(name);
      const aim = rises && now + APPEARANCE_RISE > level ? now + APPEARANCE_RISE : undefined;
      checks.push({ name, kind: 'goal', value: logitOf(name), lo: w > 0 ? aim ?? level : -Infinity, hi: w > 0 ? Infinity : level,
        ...(aim !== undefined ? { metAt: level } : {}), direction: w > 0 ? 'up' : 'down', vector: axis.vector, gain });
    }
  }
  if (ageMove && readsAge) {
    const age = axes.age!;
    const years = wantedYears(ageMove, before.age!);
    const exact = ageMove.mode === 'exact' || ageMove.mode === 'step';
    const up = years > before.age!;
    const tol = ageMove.mode === 'step' ? Math.max(2, Math.min(AGE_TOL, Math.abs(ageMove.years) / 3)) : AGE_TOL;
    checks.push({
      name: 'Age', kind: 'goal', value: (r) => r.age,
      lo: exact ? years - tol : ageMove.mode === 'atLeast' ? years - 1 : -Infinity,
      hi: exact ? years + tol : ageMove.mode === 'atMost' ? years + 1 : Infinity,
      direction: ageMove.mode === 'exact' ? 'exact' : up ? 'up' : 'down', vector: age.vector, gain: age.slope,
    });
  }
  for (const name of heldAttributes(edit, axes, locks, options)) {
    const axis = axes.get(name);
    if (!axis) continue;
    const locked = locks.has(name) || edit.locks.includes(name);
    const soft = identityGoal && !locked;
    if (name === 'Young' && readsAge) {
      const band = { lo: before.age! - HOLD_YEARS, hi: before.age! + HOLD_YEARS };
      checks.push({ name: 'Age', kind: 'hold', soft, ...(locked ? { guard: band } : {}), value: (r) => r.age, ...band,
        direction: 'exact', vector: axes.age!.vector, gain: axes.age!.slope });
      continue;
    }
    const now = readingLogit(before, name);
    if (now === undefined) continue;
    const band = holdBand(now);
    const guard = locked ? band : !soft && name === 'Male' ? holdBand(now, GUARD_P) : undefined;
    checks.push({ name, kind: 'hold', soft, ...(guard ? { guard } : {}), value: logitOf(name), lo: band.lo, hi: band.hi,
      direction: 'exact', vector: axis.vector, gain: axis.gain ?? 1 });
  }
  return checks;
}

/**
 * The goals of `edit`, and those F's reading `after` does not meet, judged as the loop judged them when the edit
 * was made from the face F read as `before` (a step from there, a level, an age): whether later edits keep earlier goals.
 */
export function goalsMet(
  edit: Edit, before: FaceReading, after: FaceReading, axes: AxisSet, locks: ReadonlySet<AttributeName> = new Set(),
): { goals: GoalName[]; unmet: GoalName[] } {
  const goals = checksFor(edit, before, axesForFace(axes, edit, before), locks, {}).filter((c) => c.kind === 'goal');
  return { goals: goals.map((c) => c.name), unmet: goals.filter((c) => unmet(c, after)).map((c) => c.name) };
}

/** Whether a goal is not met on `r`, as the reply and later edits judge it (a rise's own line: Check.metAt). */
function unmet(c: Check, r: FaceReading): boolean {
  return miss(c, r) !== 0 && (c.metAt === undefined || c.value(r)! < c.metAt);
}

/** How far a value is outside its interval (0 inside), signed: + means it must go up. */
function miss(c: Check, r: FaceReading): number {
  const v = c.value(r);
  if (v === undefined || !Number.isFinite(v)) return 0;
  if (v < c.lo) return c.lo - v;
  if (v > c.hi) return c.hi - v;
  return 0;
}

/**
 * The axes an edit of this face moves along: the directions of the gender F reads on it (AxisSet.forGender),
 * unless the words ask for a gender (the face is to become the other one) or the face has not been read.
 */
export function axesForFace(axes: AxisSet, edit: Edit, before: FaceReading | undefined): AxisSet {
  const male = before?.logits[attributeIndex('Male')];
  if (!genderPicksAxes(axes, edit) || male === undefined || !Number.isFinite(male)) return axes;
  return axes.forGender(male >= 0 ? 'men' : 'women');
}

/** Whether the face's gender picks the axes of this edit: the axes have directions per gender and the words ask for no gender. */
function genderPicksAxes(axes: AxisSet, edit: Edit): boolean {
  return axes.hasGenderDirections && edit.weights.Male === undefined;
}

/** One number per pass to pick the best: misses scaled to comparable units (years count 1/3). */
function badness(checks: readonly Check[], r: FaceReading): number {
  return checks.reduce((s, c) => s + weightedMiss(c, r) / (c.name === 'Age' ? 3 : 1) * (c.kind === 'goal' ? 1 : c.soft ? 0.25 : 2), 0);
}

/** A check's miss for picking the best pass: the part of a rise's aim above its line (Check.metAt) weighs as a soft hold does. */
function weightedMiss(c: Check, r: FaceReading): number {
  const m = Math.abs(miss(c, r));
  if (c.metAt === undefined || m === 0) return m;
  const v = c.value(r)!;
  const rise = c.lo - Math.max(v, c.metAt); // the part of the miss above the line
  return m - rise + 0.25 * rise;
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
): Promise<{ z: Float32Array; reading: FaceReading; before: FaceReading; shortfalls: Shortfall[]; passes: number }> {
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
      name: c.name, direction: c.direction,
      wanted: c.direction === 'down' ? c.hi : c.direction === 'up' ? c.metAt ?? c.lo : (c.lo + c.hi) / 2,
      reached: c.value(best.reading) ?? Number.NaN,
      ...(heldBack.length > 0 ? { heldBack } : {}),
      ...(real || unreal ? { unreal: true as const } : {}),
      ...drawnOnOther(c.name, best.reading, axes),
      // blamed on the identity hold only when the hold left this goal further off than the loop's own best face
      ...(heldIdentity && Math.abs(miss(c, best.reading)) > Math.abs(miss(c, unheld.reading)) + 1e-6
        ? { someoneElse: (readingLogit(best.reading, 'Male') ?? 0) >= 0 ? 'him' as const : 'her' as const } : {}),
    }));
  return { z: best.z, reading: best.reading, before, shortfalls, passes };
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
  const named = new Set<string>();
  for (const [i, edit] of face.edits.entries()) {
    const r = await steerEdit(z, reading, edit, axes, locks, read, { ...options, namedBefore: new Set(named) }, anchor);
    for (const n of Object.keys(edit.weights)) named.add(n);
    z = r.z;
    reading = await withAnchorIdentity(r.z, r.reading, i, edit, axes.identityHold, read);
    passes += r.passes;
    shortfalls = r.shortfalls;
    for (const l of edit.locks) locks.add(l);
    anchor = nextAnchor(anchor, i, edit, reading);
  }
  return { z, reading: reading!, shortfalls, passes, ...(anchor ? { anchor } : {}) };
}
