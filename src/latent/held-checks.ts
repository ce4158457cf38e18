/**
 * Held goals in the steering loop (docs/held-goals.md): the goals of a face's earlier explicit edits that a
 * later edit carries (Edit.held, set by the engine: src/conversation/held-goals.ts) become holds of that
 * edit's loop, beside the engine's gender and age holds and the user's locks. A goal the face meets before
 * the edit is held at its line (the hat at P ≥ 0.82, as the edit that asked for it was checked) and the
 * back-off restores it like a lock (the earlier words win over part of the new goal). A goal the face was
 * already short of is held no further from its line than it was (HOLD_P), softly: corrected, never restored
 * at the new goal's cost. A held age is corrected but not restored, like the engine's own age hold (F's age
 * head reads glasses and hats as years).
 */
import type { AttributeName } from '../face/attributes.js';
import type { Edit, HeldGoal } from '../face/record.js';
import type { AxisSet } from './axes.js';
import { AGE_TOL, HOLD_YEARS, holdBand, levelLogit, type Check } from './goal-checks.js';
import { readingLogit, type FaceReading } from './reading.js';

/** How far inside a held goal's line the loop aims (logit): corrections sized by a secant land a little short. */
export const HELD_MARGIN = 0.25;

/** The goals an edit holds: version 1 of Edit.held, and none the edit itself names again. */
export function heldGoalsOf(edit: Edit): HeldGoal[] {
  if (edit.held?.version !== 1) return [];
  return edit.held.goals.filter((g) => edit.weights[g.name] === undefined && !(g.name === 'Young' && edit.age));
}

/** The goals an edit sets that later edits hold: targets, and Young's age in years unless it is a step. */
export function goalsSet(edit: Edit): HeldGoal[] {
  const goals: HeldGoal[] = [];
  const age = edit.age && edit.age.mode !== 'step' ? edit.age : undefined;
  for (const name of Object.keys(edit.weights) as AttributeName[]) {
    const w = edit.weights[name]!;
    const target = edit.mode[name] === 'target' && Number.isFinite(w) && w !== 0;
    if (name === 'Young' && (target || age)) goals.push({ name, ...(target ? { weight: w } : {}), ...(age ? { age } : {}), said: edit.text });
    else if (name !== 'Young' && target) goals.push({ name, weight: w, said: edit.text });
  }
  if (age && edit.weights.Young === undefined) goals.push({ name: 'Young', age, said: edit.text });
  return goals;
}

/** Whether a held goal is checked in years (an age asked for, models that read ages) rather than as a logit. */
function inYears(goal: HeldGoal, axes: AxisSet, reading: FaceReading): boolean {
  return goal.age !== undefined && goal.age.mode !== 'step' && axes.age !== undefined && reading.age !== undefined;
}

/** The goal's line as an interval: a logit floor or ceiling, or the years asked for. Undefined: nothing to hold. */
export function goalLine(goal: HeldGoal, axes: AxisSet, reading: FaceReading): { lo: number; hi: number; unit: 'logit' | 'years' } | undefined {
  if (inYears(goal, axes, reading)) {
    const { mode, years } = goal.age!;
    if (mode === 'exact') return { lo: years - AGE_TOL, hi: years + AGE_TOL, unit: 'years' };
    if (mode === 'atLeast') return { lo: years - 1, hi: Infinity, unit: 'years' };
    return { lo: -Infinity, hi: years + 1, unit: 'years' };
  }
  const w = goal.weight;
  if (w === undefined || !Number.isFinite(w) || w === 0) return undefined;
  const level = levelLogit(w); // the words' own weight (./edit.ts, levelWeight)
  return w > 0 ? { lo: level, hi: Infinity, unit: 'logit' } : { lo: -Infinity, hi: level, unit: 'logit' };
}

/** The value a held goal is read on (years or the attribute's logit), if this reading has it. */
export function heldValue(goal: HeldGoal, axes: AxisSet, reading: FaceReading): number | undefined {
  return inYears(goal, axes, reading) ? reading.age : readingLogit(reading, goal.name);
}

/** Whether a value is on the goal's side of its line. */
export function met(value: number, line: { lo: number; hi: number }): boolean {
  return value >= line.lo && value <= line.hi;
}

/** The loop's checks for the goals `edit` holds, on the face as read before the edit (`before`). */
export function heldGoalChecks(edit: Edit, before: FaceReading, axes: AxisSet): Check[] {
  const checks: Check[] = [];
  for (const goal of heldGoalsOf(edit)) {
    const line = goalLine(goal, axes, before);
    const now = heldValue(goal, axes, before);
    if (!line || now === undefined || !Number.isFinite(now)) continue;
    if (line.unit === 'years') {
      // a face already off the years asked for is held where it is (the engine's age band), not pushed
      const band = met(now, line) ? line : { lo: Math.min(line.lo, now - HOLD_YEARS), hi: Math.max(line.hi, now + HOLD_YEARS) };
      checks.push({ name: 'Age', kind: 'hold', value: (r) => r.age, lo: band.lo, hi: band.hi, direction: 'exact', vector: axes.age!.vector, gain: axes.age!.slope });
      continue;
    }
    const axis = axes.get(goal.name);
    if (!axis) continue;
    const name: AttributeName = goal.name;
    const value = (r: FaceReading) => readingLogit(r, name);
    if (met(now, line)) {
      // met before this edit: held at the line, restored by the back-off like a lock; the loop aims HELD_MARGIN
      // inside it, so a correction that lands a little short still keeps it
      const aim = { lo: line.lo + HELD_MARGIN, hi: line.hi - HELD_MARGIN };
      checks.push({ name, kind: 'hold', guard: { lo: line.lo, hi: line.hi }, value, ...aim, direction: 'exact', vector: axis.vector, gain: axis.gain ?? 1 });
    } else {
      // never reached: kept no further from its line than it was, softly (the new words do not give way to it)
      const near = holdBand(now);
      checks.push({
        name, kind: 'hold', soft: true, value, lo: Math.min(line.lo, near.lo), hi: Math.max(line.hi, near.hi),
        direction: 'exact', vector: axis.vector, gain: axis.gain ?? 1,
      });
    }
  }
  return checks;
}
