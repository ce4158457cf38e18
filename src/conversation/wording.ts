import { ATTRIBUTES, type AttributeName } from '../face/attributes.js';
import { reliableOnlyOn, type Axis, type AxisSet } from '../latent/axes.js';
import type { Edit } from '../face/record.js';
import type { Shortfall } from '../latent/steer.js';
import { sigmoid } from '../latent/vector.js';
import { addedAxisGroup, axisGroups, captionFor, untrainedReplies } from '../grammar/index.js';
import type { ParseResult } from '../grammar/types.js';
import type { ForgetCounts } from '../store/types.js';

/** What the engine says in words: help, captions of stored edits, what the classifier sees. */

const SHOWCASE: readonly AttributeName[] = ['Young', 'Smiling', 'No_Beard', 'Blond_Hair', 'Eyeglasses', 'Male'];
/** A judgement about looks is not something the bot should volunteer. */
const NOT_EXPLAINED: ReadonlySet<AttributeName> = new Set(['Attractive']);
/** Absence of these reads better as its opposite ("woman", not "man 8%"). */
export const OPPOSITES: Partial<Record<AttributeName, string>> = { Male: 'woman', Young: 'old', No_Beard: 'beard' };
const EXPLAIN_TOP = 6;

export function attributeLabels(): Map<AttributeName, string> {
  const labels = new Map<AttributeName, string>();
  for (const group of axisGroups()) for (const a of group.attributes) labels.set(a.name, a.label);
  return labels;
}

export function labelOf(name: AttributeName, labels: Map<AttributeName, string>): string {
  return labels.get(name) ?? name.replace(/_/g, ' ').toLowerCase();
}

/** A few phrases that the grammar understands, for "try words like ...". */
export function exampleWords(count = 5): string[] {
  const byName = new Map(axisGroups().flatMap((g) => g.attributes).map((a) => [a.name, a.examples[0]]));
  const preferred = SHOWCASE.map((n) => byName.get(n));
  const rest = [...byName.values()];
  return [...new Set([...preferred, ...rest].filter((w): w is string => Boolean(w)))].slice(0, count);
}

export function emptyTextHelp(): string {
  return `Tell me what the face looks like, e.g. "${exampleWords(3).join(', ')}". The axes command lists every control.`;
}

export function nothingUnderstoodText(unknown: readonly string[]): string {
  const heard = unknown.length > 0 ? `I didn't understand ${unknown.map((w) => `"${w}"`).join(', ')}` : "I couldn't find anything to draw in that";
  const untrained = untrainedReplies(unknown).map((r) => ` ${r}.`).join('');
  return `${heard}, so nothing was drawn.${untrained} Try words like: ${exampleWords().join(', ')} (the axes command lists every control).`;
}

/**
 * A refine whose words would draw the same face again. It says what the words were read as, so a word that
 * was passed over is seen to be ("make him look nice": read as "man"), and names those not understood.
 */
export function nothingChangedText(words: string, unknown: readonly string[], understood = ''): string {
  const notUnderstood = unknown.length > 0 ? ` (not understood: ${unknown.map((w) => `"${w}"`).join(', ')})` : '';
  const read = understood.trim() !== '' ? ` I read it as: ${understood.trim()}.` : '';
  return `Nothing changed: the face already is what "${words.trim()}" asks for, or as far as this model goes that way${notUnderstood}.${read} Try other words, or undo.`;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What forget deleted, e.g. "Deleted everything stored about you: 3 faces (one was your current face) and 2 links …". */
export function forgetText(c: ForgetCounts): string {
  if (c.faces === 0 && !c.currentFace && c.messageLinks === 0 && c.othersFaces === 0) return 'Nothing was stored about you, so there was nothing to delete.';
  const faces = `${count(c.faces, 'face of yours', 'faces of yours')}${c.currentFace ? ' (one was your current face)' : ''}`;
  const others = c.othersFaces === 0
    ? ''
    : `, ${count(c.othersFaces, 'face', 'faces')} that ${count(c.otherOwners, 'other person', 'other people')} made from yours (copies, rerolls, mixes or analogies: each held your words or your face's latent)`;
  const links = c.messageLinks === 0 ? '' : ` and ${count(c.messageLinks, 'link from a posted message to these faces', 'links from posted messages to these faces')}`;
  return `Deleted everything stored about you: ${faces}${others}${links}. No copy of your words or of your faces is left in the store. Pictures already shown (posted messages, saved PNG files) are not deleted by this. Your next description starts a new face.`;
}

export function editAsParse(edit: Edit): ParseResult {
  return { weights: edit.weights, mode: edit.mode, locks: edit.locks, unknown: [], notes: [] };
}

/** The caption of a chain of edits, e.g. "older ▲, smiling ▲ · beard ▲". */
export function captionForEdits(edits: readonly Edit[]): string {
  return edits.map((e) => (e.made ? e.text : captionFor(editAsParse(e)))).filter((c) => c.trim() !== '').join(' · ');
}

/** A miss smaller than this (F's logit) is no news: "man 81%" against a goal of 82% reads as a man. */
const NOTICEABLE_LOGIT = 0.5;
/** A miss of fewer years than this is within what F's age head can tell ("reads about 42, asked for at least 42"). */
const NOTICEABLE_YEARS = 2;
/** Past this probability the face plainly is what was asked ("smiling 98%"): F cannot read more of it. */
const PLAINLY = 0.9;

/**
 * Whether a shortfall is one a person would see: not a rounding away from the goal, and not a face that
 * already plainly shows what was asked (a step past that is beyond what F can read, not weakness).
 */
export function noticeable(s: Shortfall): boolean {
  if (!Number.isFinite(s.reached) || !Number.isFinite(s.wanted)) return true;
  if (s.direction === 'exact') return true; // an exact age already has AGE_TOL years of slack
  const miss = s.direction === 'up' ? s.wanted - s.reached : s.reached - s.wanted;
  if (s.name === 'Age') return miss >= NOTICEABLE_YEARS;
  const p = sigmoid(s.reached);
  if (s.direction === 'up' ? p >= PLAINLY : p <= 1 - PLAINLY) return false;
  return miss >= NOTICEABLE_LOGIT;
}

/** The notes for the closed loop's shortfalls: only the noticeable ones, worded. */
export function shortfallNotes(shortfalls: readonly Shortfall[] | undefined): string[] {
  return (shortfalls ?? []).filter(noticeable).map(shortfallText);
}

/**
 * What the reply says about a goal the closed loop could not reach: "glasses: weak in this model, it only
 * got so far (glasses 34%)", "an age of 70 is out of this model's reach: the face reads about 52".
 */
export function shortfallText(s: Shortfall): string {
  if (s.someoneElse) return someoneElseText(s, s.someoneElse);
  const kept = keptWords(s.heldBack);
  // the realism guard scaled the edit back (src/latent/realism-guard.ts)
  const weak = s.unreal
    ? 'more than this model can draw on this face (more of it made the face look less real)'
    : !s.drawnOn
    ? `weak in this model${kept}`
    : kept
      ? `weak in this model${kept} (it draws it on ${s.drawnOn}'s faces)`
      : `weak in this model on ${s.drawnOn === 'women' ? "men's" : "women's"} faces (it draws it on ${s.drawnOn}'s)`;
  if (s.name === 'Age') {
    const reached = Math.round(s.reached);
    if (s.direction === 'exact') return `an age of ${Math.round(s.wanted)} is out of this model's reach: the face reads about ${reached}`;
    return `${s.direction === 'up' ? 'older' : 'younger'} ages are ${weak}: the face reads about ${reached} (asked for ${s.direction === 'up' ? 'at least' : 'at most'} ${Math.round(s.wanted)})`;
  }
  const labels = attributeLabels();
  const p = Math.round(100 * sigmoid(s.reached));
  // said the way it was asked for: "woman ... (woman 79%)", not "(man 21%)"
  if (s.direction === 'down' && OPPOSITES[s.name]) return `${OPPOSITES[s.name]}: ${weak}, it only got so far (${OPPOSITES[s.name]} ${100 - p}%)`;
  const name = s.direction === 'down' ? `less ${labelOf(s.name, labels)}` : labelOf(s.name, labels);
  return `${name}: ${weak}, it only got so far (${labelOf(s.name, labels)} ${p}%)`;
}

/**
 * A goal the identity hold (src/latent/identity-hold.ts) gave up part of: "beard: this is as far as it goes, a
 * fuller beard would make him someone else (beard 46%)", "an age of 70 would make her someone else: the face reads about 58".
 */
function someoneElseText(s: Shortfall, who: 'him' | 'her'): string {
  if (s.name === 'Age') {
    const reached = Math.round(s.reached);
    if (s.direction === 'exact') return `an age of ${Math.round(s.wanted)} would make ${who} someone else: the face reads about ${reached}`;
    return `${s.direction === 'up' ? 'older' : 'younger'}: this is as far as it goes, more would make ${who} someone else (the face reads about ${reached})`;
  }
  const labels = attributeLabels();
  const p = Math.round(100 * sigmoid(s.reached));
  const label = s.direction === 'down' && OPPOSITES[s.name] ? OPPOSITES[s.name]! : labelOf(s.name, labels);
  const shown = s.direction === 'down' && OPPOSITES[s.name] ? 100 - p : p;
  const name = s.direction === 'down' && !OPPOSITES[s.name] ? `less ${label}` : label;
  return `${name}: this is as far as it goes, more would make ${who} someone else (${label} ${shown}%)`;
}

/** " without changing the gender", " without changing the gender or the age" (the holds that won), or "". */
function keptWords(held: readonly string[] | undefined): string {
  if (!held || held.length === 0) return '';
  const labels = attributeLabels();
  const word = (n: string) =>
    n === 'Male' ? 'the gender' : n === 'Age' || n === 'Young' ? 'the age' : labelOf(n as AttributeName, labels);
  return ` without changing ${[...new Set(held.map(word))].join(' or ')}`;
}

/**
 * The shortfalls of the four faces of a grid, one note per goal instead of one per face: "glasses: weak in
 * this model (short on 3 of 4 faces)". A goal missed by one face only keeps its own wording.
 */
export function gridShortfalls(perFace: readonly string[][]): string[] {
  const byGoal = new Map<string, string[]>();
  for (const notes of perFace) {
    for (const note of notes) {
      const goal = note.split(':')[0]!;
      byGoal.set(goal, [...(byGoal.get(goal) ?? []), note]);
    }
  }
  return [...byGoal.entries()].map(([goal, notes]) =>
    notes.length === 1 ? notes[0]! : `${goal}: weak in this model (short on ${notes.length} of ${perFace.length} faces)`);
}

/** "I see: smiling (92%), male (88%), no beard (81%)", from F's 40 probabilities in CelebA order. */
export function explainScores(scores: Float32Array, age?: number): string {
  const labels = attributeLabels();
  const seen: { label: string; p: number }[] = [];
  ATTRIBUTES.forEach((name, i) => {
    const p = scores[i];
    if (p === undefined || !Number.isFinite(p) || NOT_EXPLAINED.has(name)) return;
    if (p >= 0.5) seen.push({ label: labelOf(name, labels), p });
    else if (OPPOSITES[name]) seen.push({ label: OPPOSITES[name], p: 1 - p });
  });
  seen.sort((a, b) => b.p - a.p);
  const ageText = age !== undefined && Number.isFinite(age) ? `about ${Math.round(age)} years old` : undefined;
  if (seen.length === 0) return ageText ? `I see: ${ageText}.` : "I don't see anything clearly in this face.";
  const top = seen.slice(0, EXPLAIN_TOP).map((s) => `${s.label} (${Math.round(s.p * 100)}%)`);
  return `I see: ${[...(ageText ? [ageText] : []), ...top].join(', ')}${seen.length > EXPLAIN_TOP ? ' …' : ''}`;
}

/**
 * How /face axes marks an axis: '' when it edits reliably, " (weak)" when not, and " (weak; works on women's
 * faces)" when the calibration seeds say G draws it reliably on one gender only (the engine keeps the gender
 * unless the words ask for one).
 */
export function weakMark(axis: Pick<Axis, 'controllable' | 'successByGender'> | undefined): string {
  if (axis?.controllable !== false) return '';
  const only = reliableOnlyOn(axis);
  return only ? ` (weak; works on ${only}'s faces)` : ' (weak)';
}

/** The controls, one line per group, with example words; axes that do not edit reliably are "(weak)". */
export function axesHelpText(axes: AxisSet): string {
  // the 40, then the attributes added with `npm run attribute -- add` that these models have an axis for
  const added = addedAxisGroup();
  const ownGroup = added && { ...added, attributes: added.attributes.filter((a) => axes.get(a.name) !== undefined) };
  const groups = [...axisGroups(), ...(ownGroup && ownGroup.attributes.length > 0 ? [ownGroup] : [])];
  const lines = groups.map((group) => {
    const items = group.attributes.map((a) => {
      const weak = weakMark(axes.get(a.name));
      const shown = new Set([a.label, a.opposite]);
      const extra = a.examples.filter((e) => !shown.has(e)).slice(0, 2).map((e) => `"${e}"`).join(', ');
      return `${a.opposite} ↔ ${a.label}${weak}${extra ? ` (${extra})` : ''}`;
    });
    return `${group.group} — ${items.join('; ')}`;
  });
  return [
    'What you can ask for (add "more", "less", "a bit", "very", or "no ..."):',
    ...lines,
    ...(axes.age ? ['Age in years — "a 70 year old man", "10 years older", "in her thirties" (checked on the face by an age estimate)'] : []),
    'How typical — "a more typical face" (closer to the average face, fewer flaws) ↔ "an unusual face" (more varied)',
    "(weak) = the model cannot change this one reliably yet; (weak; works on women's faces) = it draws it reliably only on women's faces (or men's), and an edit keeps the gender unless you ask for one.",
  ].join('\n');
}
