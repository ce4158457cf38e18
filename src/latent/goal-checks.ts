import { ATTRIBUTES, attributeIndex, isCelebaAttribute, type AttributeName } from '../face/attributes.js';
import type { Edit } from '../face/record.js';
import type { AxisSet } from './axes.js';
import { ageMoveOf, heldAttributes, holdsAgeFirmly, levelWeight, wantedYears, type EditOptions } from './edit.js';
import { readingLogit, type FaceReading } from './reading.js';

/*
 * What the closed loop checks on each pass (./steer.ts): the goals of an edit (a level, a step, an age) and the
 * attributes it holds, each as an interval of F's logit (or of years), how far a reading is from them, and which
 * pass is best. The loop itself, its passes and back-offs, is ./steer.ts.
 */

export const LEVEL_LOGIT = 1.5;
export const MAX_LEVEL_LOGIT = 3;

/** F's logit a target weight asks for: a floor (w > 0) or a ceiling (w < 0) at LEVEL_LOGIT·w, capped at MAX_LEVEL_LOGIT. */
export function levelLogit(w: number): number {
  return Math.sign(w) * Math.min(MAX_LEVEL_LOGIT, LEVEL_LOGIT * Math.abs(w));
}

/** The logit a new edit's target asks F for: levelLogit of the weight its level is set by (./edit.ts, levelWeight). */
export function goalLevel(edit: Pick<Edit, 'weights' | 'mode' | 'age'>, name: string, w: number): number {
  return levelLogit(levelWeight(edit, name, w));
}
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
/** Goals that are who the face is: an edit asking for one of them may move the other (see the back-off). */
const IDENTITY_GOALS: ReadonlySet<GoalName> = new Set<GoalName>(['Male', 'Young', 'Age']);

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

export function checksFor(
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
      const level = goalLevel(edit, name, w);
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
    // the age hold is firm for an appearance F's age head reads as years, whatever gender the words ask (./edit.ts, HOLDS_AGE_FIRMLY)
    const soft = identityGoal && !locked && !(name === 'Young' && holdsAgeFirmly(edit));
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
export function unmet(c: Check, r: FaceReading): boolean {
  return miss(c, r) !== 0 && (c.metAt === undefined || c.value(r)! < c.metAt);
}

/** How far a value is outside its interval (0 inside), signed: + means it must go up. */
export function miss(c: Check, r: FaceReading): number {
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
export function genderPicksAxes(axes: AxisSet, edit: Edit): boolean {
  return axes.hasGenderDirections && edit.weights.Male === undefined;
}

/** One number per pass to pick the best: misses scaled to comparable units (years count 1/3). */
export function badness(checks: readonly Check[], r: FaceReading): number {
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
