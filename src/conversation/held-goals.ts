/**
 * What was asked before stays (docs/held-goals.md). A refine's new edit carries the goals of the face's
 * earlier explicit edits (Edit.held): every target the words set ("with a hat", "no beard", "a woman") and
 * every age in years ("a 70 year old", "old"), each until later words name the same axis again ("no hat",
 * "younger", "a 30 year old"). The steering loop checks them again after the new edit and holds them
 * (src/latent/held-checks.ts). A mix or an analogy starts from other faces: goals before it are not carried.
 * Undo drops a goal with its edit (the parent's chain never had it); a reroll keeps the edits and so the goals.
 */
import { SUNGLASSES, type AttributeName } from '../face/attributes.js';
import type { Edit, HeldGoal, HeldGoals } from '../face/record.js';
import type { AxisSet } from '../latent/axes.js';
import { goalLine, goalsSet, heldGoalsOf, heldValue, met } from '../latent/held-checks.js';
import type { FaceReading } from '../latent/steer.js';
import { sigmoid } from '../latent/vector.js';
import { attributeLabels, labelOf, OPPOSITES } from './wording.js';

/**
 * Features a face has one of: words about one of them override earlier goals on the others ("blonde hair",
 * then "black hair": the blonde goes; "a goatee", then "no beard": the goatee goes; "bald" ends any hair colour).
 */
const ONE_OF: readonly (readonly AttributeName[])[] = [
  ['Black_Hair', 'Blond_Hair', 'Brown_Hair', 'Gray_Hair', 'Bald'],
  ['Straight_Hair', 'Wavy_Hair', 'Bald'],
  ['Bangs', 'Bald'],
  ['No_Beard', 'Goatee', 'Mustache', 'Sideburns', '5_o_Clock_Shadow'],
];
/** Facial hair: a gender asked for again ("make it a woman") overrides earlier goals on it too. */
const FACIAL_HAIR: ReadonlySet<AttributeName> = new Set(ONE_OF[3]);

/** Whether an edit names the axis itself (any weight, any mode; for Young, also an age in years). */
function namesAxis(edit: Edit, name: AttributeName): boolean {
  return Number.isFinite(edit.weights[name]) || (name === 'Young' && edit.age !== undefined);
}

/** Whether an edit overrides an earlier goal on `name`: it names the axis, one of its ONE_OF group, or, for facial hair, the gender. */
function names(edit: Edit, name: AttributeName): boolean {
  if (namesAxis(edit, name)) return true;
  if (FACIAL_HAIR.has(name) && namesAxis(edit, 'Male')) return true;
  // the lenses go with the glasses: "no glasses" after "sunglasses" overrides the dark lenses too
  if (name === SUNGLASSES && namesAxis(edit, 'Eyeglasses')) return true;
  return ONE_OF.some((group) => group.includes(name) && group.some((other) => namesAxis(edit, other)));
}

/** The goals `next` (an edit after `earlier`) holds, or undefined when there are none. */
export function heldGoalsFor(earlier: readonly Edit[], next: Edit): HeldGoals | undefined {
  const goals = new Map<AttributeName, HeldGoal>();
  for (const edit of earlier) {
    // a mix or an analogy asks for another person: what was asked of the faces before it is not carried
    if (edit.made) goals.clear();
    for (const name of [...goals.keys()]) if (names(edit, name)) goals.delete(name);
    for (const goal of goalsSet(edit)) goals.set(goal.name, goal);
  }
  for (const name of [...goals.keys()]) if (names(next, name)) goals.delete(name);
  return goals.size > 0 ? { version: 1, goals: [...goals.values()] } : undefined;
}

/** `next` with the goals it holds of `earlier` (Edit.held), or as it is when there are none. */
export function withHeldGoals(earlier: readonly Edit[], next: Edit): Edit {
  const held = heldGoalsFor(earlier, next);
  return held ? { ...next, held } : next;
}

/** Edits with the held goals on `released` axes dropped (a lock released in the studio lets them change). */
export function releaseHeldGoals(edits: readonly Edit[], released: readonly AttributeName[]): Edit[] {
  if (released.length === 0) return [...edits];
  return edits.map((edit) => {
    if (!edit.held) return edit;
    const goals = edit.held.goals.filter((g) => !released.includes(g.name));
    if (goals.length === edit.held.goals.length) return edit;
    const rest: Edit = { ...edit };
    delete rest.held;
    return goals.length > 0 ? { ...rest, held: { ...edit.held, goals } } : rest;
  });
}

/** A held goal on one face: what F reads, the goal's line, and whether it is met. */
export interface HeldGoalStatus {
  goal: HeldGoal;
  unit: 'logit' | 'years';
  value: number;
  lo: number;
  hi: number;
  met: boolean;
}

/** The goals a face's last edit holds, checked on F's reading of the face as drawn. */
export function heldGoalStatus(edit: Edit | undefined, reading: FaceReading, axes: AxisSet): HeldGoalStatus[] {
  if (!edit) return [];
  return heldGoalsOf(edit).flatMap((goal) => {
    const line = goalLine(goal, axes, reading);
    const value = heldValue(goal, axes, reading);
    if (!line || value === undefined || !Number.isFinite(value)) return [];
    return [{ goal, unit: line.unit, value, lo: line.lo, hi: line.hi, met: met(value, line) }];
  });
}

/** How much of the words that asked for a goal explain quotes (a message may be long; Discord's is 2000 characters). */
const SAID_CHARS = 40;

const percent = (logit: number) => `${Math.round(100 * sigmoid(logit))}%`;

/** One held goal in words: 'hat (from "put a hat on him"): met, 93% (wanted ≥ 82%)'. */
export function heldGoalText(s: HeldGoalStatus): string {
  const labels = attributeLabels();
  const said = s.goal.said.length > SAID_CHARS ? `${s.goal.said.slice(0, SAID_CHARS - 1)}…` : s.goal.said;
  const from = ` (from "${said}")`;
  const verdict = s.met ? 'met' : 'not met';
  if (s.unit === 'years') {
    const { mode, years } = s.goal.age!;
    const asked = mode === 'exact' ? `${years}` : mode === 'atLeast' ? `at least ${years}` : `at most ${years}`;
    return `age ${asked}${from}: ${verdict}, reads about ${Math.round(s.value)}`;
  }
  const label = labelOf(s.goal.name, labels);
  if (s.lo > -Infinity) return `${label}${from}: ${verdict}, ${label} ${percent(s.value)} (wanted ≥ ${percent(s.lo)})`;
  // asked against: said the way it was asked for ("woman 91%", "no glasses: glasses 4%")
  const opposite = OPPOSITES[s.goal.name];
  if (opposite) return `${opposite}${from}: ${verdict}, ${opposite} ${percent(-s.value)} (wanted ≥ ${percent(-s.hi)})`;
  return `no ${label}${from}: ${verdict}, ${label} ${percent(s.value)} (wanted ≤ ${percent(s.hi)})`;
}

/** /face explain's lines on held goals, or '' when the face's last edit holds none. */
export function heldGoalsExplain(statuses: readonly HeldGoalStatus[]): string {
  if (statuses.length === 0) return '';
  return `Held from earlier edits: ${statuses.map(heldGoalText).join('; ')}.`;
}
