import type { AttributeName } from '../face/attributes.js';
import type { Drawable, Edit, Jitter, SeedStart } from '../face/record.js';
import { seedLatent } from './jitter.js';
import type { AxisSet } from './axes.js';
import { candidateLatent, candidateSeed, SEARCH_VERSION } from './candidates.js';
import { ageMoveOf, asksForAny, EXPRESSION, EXPRESSION_READ_BY, EXPRESSION_SEARCHED_BY, keepInRange, linearAge } from './edit.js';
import { goalLevel } from './goal-checks.js';
import { dot } from './vector.js';
import { readingLogit, AGE_TOL, type FaceReading, type ReadFaces } from './steer.js';
import { truncate } from './truncation.js';
import { REALISM_LIMIT } from './realism-guard.js';
import { keepsSceneLight, KEEPS_LIGHT_FOR, type SceneLight } from './scene-light.js';

/**
 * Seed search: a new face starts from the candidate that already looks most like the words, not from an
 * arbitrary seed that the closed loop then has to push far along rare directions ("glasses and a hat" on a
 * face G drew without them ends as a smear; G draws glasses and hats well formed on some seeds, as itself).
 *
 * 1. Screen: SEARCH_CANDIDATES candidate latents of the seed's set (./candidates.ts: deterministic, the same
 *    on every machine), each ψ-scaled and kept in range as the face would be, are scored by the linear axes
 *    (F's logit ≈ gain·(z·axis − center), the age axis for years; a dot product per goal): how far each goal of
 *    the words (a target level of an attribute, an age floor, ceiling or value) is from the prediction, plus
 *    how untypical |z| is.
 * 2. The SEARCH_SCREENED best of those are scored again by the surrogate of F(G(z)) (models/surrogate.json,
 *    held-out R² 0.80 against the axes' 0.54; about 0.3 ms a face in JavaScript, too dear for all of them).
 * 3. Read: the SEARCH_RENDERED best (SEARCH_RENDERED_RARE for words asking two rare things) are rendered and read by G and F in one batch; each is scored by F's real
 *    reading of the same goals plus the realism guard's distance beyond REALISM_LIMIT (the critic's,
 *    ./realism-critic.ts, else the density's, ./realism.ts). Only beyond the limit: counting all of it made the
 *    faces of plain descriptions more alike and further from real ones; words asking for two or more rare things
 *    count more of it (RARE_SIDES).
 * The best read one is the face's start; the closed loop then edits from there, with less to do.
 * Step weights ("more smile") and step ages are relative, so they do not rank candidates; words with no goal
 * to rank by (only steps, locks or a typicality) do not search: the face is its seed's own, as before.
 */
export const SEARCH_CANDIDATES = 1024;
export const SEARCH_SCREENED = 64;
export const SEARCH_RENDERED = 4;
/** Weight of |z|'s excess over its typical norm (in spreads of the chi distribution) in the screen. */
const TYPICALITY_WEIGHT = 0.5;
/** Weight of the realism distance beyond REALISM_LIMIT in the final pick (logit units per unit of distance). */
const REALISM_WEIGHT = 4;

/**
 * Words asking for two or more things G draws on few faces (RARE_SIDES: under 10% of CelebA each: glasses,
 * hats, moustaches, goatees, sideburns, bald, grey hair) are the ones whose faces come out smeared. For them the
 * search reads SEARCH_RENDERED_RARE candidates and counts the realism distance from SEARCH_REALISM_FROM (with the
 * critic, ./realism-critic.ts, about the held-out real crops' median, logit 0.95; one critic logit is 0.35 of
 * distance) at REALISM_WEIGHT_RARE: of the candidates that meet the words about as well, the more real one
 * starts. Measured (docs/seed-search-and-realism.md): "a young woman with glasses and a hat" gets glasses that
 * look like glasses on a few more seeds and is closer to real faces like it. Not for all words: it made plain
 * descriptions' faces ("a woman") more alike and further from real ones. Not for beards (17% of CelebA): "a
 * young man with a beard and a hat" looked no better and the judge read it as the words less often.
 */
export const SEARCH_RENDERED_RARE = 8;
export const SEARCH_REALISM_FROM = 0.9;
const REALISM_WEIGHT_RARE = 8;
/** The side of each attribute that few faces have. */
const RARE_SIDES: Partial<Record<AttributeName, 'up' | 'down'>> = {
  Eyeglasses: 'up', Wearing_Hat: 'up', Goatee: 'up', Mustache: 'up', Sideburns: 'up', Bald: 'up', Gray_Hair: 'up',
};

interface Goal {
  /** An attribute (F's logit), the age in years, or the scene's light ('Light', in LIGHT_UNIT of border luma). */
  name: AttributeName | 'Age' | 'Light';
  lo: number;
  hi: number;
}

/** What the words want of a new face, as bounds on F's logits and the age in years (later edits win). */
export function searchGoals(edits: readonly Edit[], axes: AxisSet): Goal[] {
  const goals = new Map<string, Goal>();
  for (const edit of edits) {
    const age = ageMoveOf(edit, axes);
    for (const [name, w] of Object.entries(edit.weights) as Array<[AttributeName, number]>) {
      if (!Number.isFinite(w) || w === 0 || edit.mode[name] === 'step' || !axes.get(name)) continue;
      if (name === 'Young' && age) continue; // the years say it
      const level = goalLevel(edit, name, w);
      goals.set(name, { name, lo: w > 0 ? level : -Infinity, hi: w > 0 ? Infinity : level });
    }
    if (age && age.mode !== 'step') {
      const y = age.years;
      goals.set('Age', age.mode === 'exact' ? { name: 'Age', lo: y - AGE_TOL, hi: y + AGE_TOL }
        : age.mode === 'atLeast' ? { name: 'Age', lo: y - 1, hi: Infinity } : { name: 'Age', lo: -Infinity, hi: y + 1 });
    }
  }
  return [...goals.values()];
}

/** How many of the goals ask for the rare side of an attribute (RARE_SIDES). */
export function rareGoals(goals: readonly Goal[]): number {
  return goals.filter((g) => {
    const side = g.name === 'Age' || g.name === 'Light' ? undefined : RARE_SIDES[g.name];
    return side === 'up' ? g.lo > 0 : side === 'down' ? g.hi < 0 : false;
  }).length;
}

function missOf(goals: readonly Goal[], value: (name: Goal['name']) => number | undefined): number {
  return missOfValues(goals, goals.map((g) => value(g.name)));
}

/** missOf with each goal's value given in the goals' order. */
function missOfValues(goals: readonly Goal[], values: ArrayLike<number | undefined>): number {
  let sum = 0;
  for (let j = 0; j < goals.length; j++) {
    const g = goals[j]!;
    const v = values[j];
    if (v === undefined || !Number.isFinite(v)) continue;
    const m = v < g.lo ? g.lo - v : v > g.hi ? v - g.hi : 0;
    sum += g.name === 'Age' ? m / 3 : m;
  }
  return sum;
}

/** The axes' linear guess of F's logit (gain·(z·axis − center)) and of the age (the age axis) on a latent. */
function linearPredictor(goals: readonly Goal[], axes: AxisSet): (z: Float32Array, name: Goal['name']) => number | undefined {
  const lines = new Map(goals.map((g) => [g.name, linearLine(g, axes)] as const));
  return (z, name) => lines.get(name)?.(z);
}

/** One goal's linear guess (undefined without its axis). */
function linearLine(g: Goal, axes: AxisSet): ((z: Float32Array) => number) | undefined {
  if (g.name === 'Age') return axes.age ? (z: Float32Array) => linearAge(z, axes.age!) : undefined;
  if (g.name === 'Light') return axes.sceneLight ? lightOf(axes.sceneLight) : undefined;
  const axis = axes.get(g.name);
  return axis ? (z: Float32Array) => (axis.gain ?? 1) * (dot(z, axis.vector) - axis.center) : undefined;
}

/** The linear screen's miss of every candidate: missOf with linearPredictor's values, one goal's line per slot. */
function linearMisses(goals: readonly Goal[], axes: AxisSet, zs: readonly Float32Array[]): Float64Array {
  const lines = goals.map((g) => linearLine(g, axes));
  const values = new Array<number | undefined>(goals.length);
  return Float64Array.from(zs, (z) => {
    for (let j = 0; j < lines.length; j++) values[j] = lines[j]?.(z);
    return missOfValues(goals, values);
  });
}

/** How much further |z| is from the typical norm √d than the chi distribution's spread (≈ 0.71), if above it. */
function untypical(z: Float32Array): number {
  let s = 0;
  for (const v of z) s += v * v;
  return Math.max(0, (Math.sqrt(s) - Math.sqrt(z.length)) / Math.SQRT1_2);
}

/**
 * How far (F logits, either side) a searched start's expression may be from the expression the same words would
 * start with without their appearance words (for words asking for one of EXPRESSION_SEARCHED_BY): the screen ranks
 * by F's reading of the appearance probes, and the East_Asian probe reads unsmiling faces as more East Asian, so
 * without this the search picked the unsmiling candidates for "an east asian woman" (the judge: 2% smiling
 * against 68% of "a woman"; 58% with it).
 */
export const EXPRESSION_BAND = 1;

/**
 * The expression goals of a search whose words ask for one of EXPRESSION_SEARCHED_BY and do not name the
 * expression (a target or a lock; a step such as "smile more" is relative to the start and keeps the band): each
 * EXPRESSION attribute within EXPRESSION_BAND of its value on the start the words minus their South_Asian and
 * East_Asian goals (EXPRESSION_READ_BY) would pick by the screens (the linear screen, then the surrogate's: no
 * render), or on the seed's own face when nothing else is asked ("an east asian person"). Empty for other words.
 */
function expressionGoals(
  edits: readonly Edit[], goals: readonly Goal[], axes: AxisSet,
  pickFor: (goals: readonly Goal[]) => Float32Array, own: () => Float32Array,
): Goal[] {
  const held = expressionHeld(edits, axes);
  if (held.length === 0) return [];
  const plain = goals.filter((g) => !EXPRESSION_READ_BY.has(g.name));
  // nothing else to rank by ("an east asian person"): the face the seed draws without the words
  return bandAround(held, plain.length === 0 ? own() : pickFor(plain), axes);
}

/**
 * The EXPRESSION attributes a search keeps near a reference face: for words asking for one of
 * EXPRESSION_SEARCHED_BY, those the words do not set or lock (a step such as "smile more" is relative to the start,
 * so the start still keeps the band). Empty for other words.
 */
function expressionHeld(edits: readonly Edit[], axes: AxisSet): AttributeName[] {
  if (!edits.some((e) => asksForAny(e, EXPRESSION_SEARCHED_BY))) return [];
  const named = new Set(edits.flatMap((e) => [...Object.keys(e.weights).filter((n) => e.mode[n as AttributeName] !== 'step'), ...e.locks]));
  return EXPRESSION.filter((n) => !named.has(n) && axes.get(n));
}

/** Goals: each of `held` within EXPRESSION_BAND of its value on `z` (the surrogate's reading, else the axis's). */
function bandAround(held: readonly AttributeName[], z: Float32Array, axes: AxisSet): Goal[] {
  const p = axes.surrogate?.predict?.(z);
  return held.flatMap((name) => {
    const v = p?.get(name) ?? linearLine({ name, lo: 0, hi: 0 }, axes)?.(z);
    return v === undefined || !Number.isFinite(v) ? [] : [{ name, lo: v - EXPRESSION_BAND, hi: v + EXPRESSION_BAND }];
  });
}

/** Border luma (of 255) that counts as one logit of miss in the search's score. */
const LIGHT_UNIT = 20;
/** How far (in LIGHT_UNIT) a searched start's scene light may be from the light of the reference face. */
export const LIGHT_BAND = 0.75;

/** A latent's scene light in LIGHT_UNIT (the linear fit: held-out R² 0.84 on the shipped G). */
function lightOf(light: SceneLight): (z: Float32Array) => number {
  return (z) => (light.slope * dot(z, light.vector)) / LIGHT_UNIT;
}

/**
 * The light goal of a search whose words ask for a skin tone (KEEPS_LIGHT_FOR, ./scene-light.ts): the start's
 * scene light within LIGHT_BAND of the light of the start the words minus their skin-tone goals would pick by the
 * screens (the seed's own face when nothing else is asked). The screens rank by the skin probes, which read a dim
 * scene as dark skin: without it the search started half of "a dark-skinned woman" in a black scene (border luma
 * under 40 on 56% of seeds 1-50 against 8% of "a woman"). Empty for other words, or without the scene's light.
 */
function lightGoals(
  edits: readonly Edit[], goals: readonly Goal[], axes: AxisSet,
  pickFor: (goals: readonly Goal[]) => Float32Array, own: () => Float32Array,
): Goal[] {
  if (!axes.sceneLight || !edits.some(keepsSceneLight) || !goals.some((g) => KEEPS_LIGHT_FOR.has(g.name))) return [];
  const plain = goals.filter((g) => !KEEPS_LIGHT_FOR.has(g.name)); // the words without their skin tones
  return [lightBand(lightOf(axes.sceneLight)(plain.length === 0 ? own() : pickFor(plain)))];
}

/** The light goal: within LIGHT_BAND of `v` (LIGHT_UNIT). */
function lightBand(v: number): Goal {
  return { name: 'Light', lo: v - LIGHT_BAND, hi: v + LIGHT_BAND };
}

/** Rounded, so a float difference in the last digits between machines does not change a pick. */
const steady = (x: number) => Math.round(x * 1000) / 1000;

/** The search's sizes and the weights of its final pick (defaults: the constants above). */
export interface SearchTuning {
  candidates?: number;
  screened?: number;
  rendered?: number;
  /** Logit units per unit of realism distance beyond `realismFrom` (defaults: see RARE_SIDES). */
  realismWeight?: number;
  realismFrom?: number;
}

export interface SearchResult {
  start: SeedStart;
  /** The candidate's latent (ψ-scaled, kept in range), F's reading of it, and its score (lower is better). */
  z: Float32Array;
  reading: FaceReading;
  score: number;
  /** Candidates screened, and rendered. */
  screened: number;
  rendered: number;
}

/**
 * Searches set `set` of `seed` for the words of `edits` (see above). Undefined when the words give nothing to
 * rank by. One G+F pass of SEARCH_RENDERED faces (batched with other requests' reads by `read`).
 */
export async function searchSeed(
  face: { seed: number; edits: readonly Edit[]; truncation?: number },
  axes: AxisSet,
  read: ReadFaces,
  set = 0,
  sizes: SearchTuning = {},
): Promise<SearchResult | undefined> {
  const asked = searchGoals(face.edits, axes);
  if (asked.length === 0) return undefined;
  const n = sizes.candidates ?? SEARCH_CANDIDATES;
  const m = Math.min(n, sizes.screened ?? SEARCH_SCREENED);
  const rare = rareGoals(asked) >= 2;
  const k = Math.min(m, sizes.rendered ?? (rare ? SEARCH_RENDERED_RARE : SEARCH_RENDERED));
  const realismWeight = sizes.realismWeight ?? (rare ? REALISM_WEIGHT_RARE : REALISM_WEIGHT);
  const realismFrom = sizes.realismFrom ?? (rare ? SEARCH_REALISM_FROM : REALISM_LIMIT);
  const psi = face.truncation ?? 1;
  const zs = Array.from({ length: n }, (_, i) => keepInRange(truncate(candidateLatent(face.seed, set, i, axes.zDim), psi)));
  // each candidate's typicality term, once (the screen, the surrogate's and the final pick all add it)
  const typical = Float64Array.from(zs, (z) => TYPICALITY_WEIGHT * untypical(z));
  const best = (ids: readonly number[], score: (i: number) => number, keep: number) => ids
    .map((i) => ({ i, score: steady(score(i) + typical[i]!) }))
    .sort((a, b) => a.score - b.score || a.i - b.i).slice(0, keep).map((c) => c.i);
  const predict = axes.surrogate?.predict?.bind(axes.surrogate);
  // the scene's light is the linear fit's at every stage (neither the surrogate nor F reads it)
  const light = axes.sceneLight ? lightOf(axes.sceneLight) : undefined;
  // the two screens (the linear one over all candidates, the surrogate's over its best m): the best `keep` for `gs`
  const screen = (gs: readonly Goal[], keep: number) => {
    const linear = linearMisses(gs, axes, zs);
    const first = best(zs.map((_, i) => i), (i) => linear[i]!, m);
    return predict
      ? best(first, (i) => { const p = predict(zs[i]!); return missOf(gs, (name) => (name === 'Light' ? light?.(zs[i]!) : p.get(name))); }, keep)
      : first.slice(0, keep);
  };
  const own = () => keepInRange(truncate(seedLatent({ seed: face.seed, edits: [] }, axes.zDim), psi));
  const pickFor = (gs: readonly Goal[]) => zs[screen(gs, 1)[0]!]!;
  const goals = [...asked, ...expressionGoals(face.edits, asked, axes, pickFor, own), ...lightGoals(face.edits, asked, axes, pickFor, own)];
  const screened = screen(goals, k);
  const readings = await read(screened.map((i) => zs[i]!));
  const scored = screened.map((i, j) => {
    const r = readings[j]!;
    const value = (name: Goal['name']) => (name === 'Age' ? r.age : name === 'Light' ? light?.(zs[i]!) : readingLogit(r, name));
    const words = missOf(goals, value);
    const unreal = r.realism === undefined ? 0 : realismWeight * Math.max(0, r.realism - realismFrom);
    return { i, r, score: steady(words + unreal + typical[i]!) };
  }).sort((a, b) => a.score - b.score || a.i - b.i);
  const pick = scored[0]!;
  return {
    start: { version: SEARCH_VERSION, set, pick: pick.i }, z: zs[pick.i]!, reading: pick.r, score: pick.score,
    screened: n, rendered: screened.length,
  };
}

/** How many steps "vary" chooses each neighbour's from (screened only: no extra render). */
export const VARY_CANDIDATES = 8;

/**
 * Vary's search: of VARY_CANDIDATES steps of this size from the face (jitter seeds derived from `stepSeed`),
 * the one whose neighbour's start the surrogate (else the axes) sees closest to the words' goals (and, for words
 * asking for one of EXPRESSION_SEARCHED_BY, smiling within EXPRESSION_BAND of the face's own start; for words asking
 * a skin tone, KEEPS_LIGHT_FOR, its scene's light within LIGHT_BAND of the face's own start's). The step is
 * stored as any vary step is (FaceRecord.jitter), so the neighbour is redrawn from its record alone.
 */
export function searchStep(face: Drawable, stepSeed: number, scale: number, axes: AxisSet, count = VARY_CANDIDATES): Jitter {
  const asked = searchGoals(face.edits, axes);
  // words whose appearance probe reads an expression (EXPRESSION_SEARCHED_BY): the neighbour smiles about as the
  // face does, instead of the step of the eight the probe reads highest (the unsmiling one, for "east asian")
  const held = asked.length > 0 ? expressionHeld(face.edits, axes) : [];
  const own = () => keepInRange(truncate(seedLatent(face, axes.zDim), face.truncation ?? 1));
  // and, for a skin tone, in about the face's own light (the skin probes read a dimmer neighbour as darker skin)
  const lit = asked.length > 0 && axes.sceneLight && face.edits.some(keepsSceneLight) ? [lightBand(lightOf(axes.sceneLight)(own()))] : [];
  const goals = [...asked, ...(held.length > 0 ? bandAround(held, own(), axes) : []), ...lit];
  const steps = Array.from({ length: count }, (_, i) => ({ seed: candidateSeed(stepSeed, 0, i), scale }));
  if (goals.length === 0) return steps[0]!;
  const predict = axes.surrogate?.predict?.bind(axes.surrogate);
  const linear = linearPredictor(goals, axes);
  const scored = steps.map((step, i) => {
    const z = keepInRange(truncate(seedLatent({ ...face, jitter: [...(face.jitter ?? []), step] }, axes.zDim), face.truncation ?? 1));
    const p = predict?.(z);
    const value = (name: Goal['name']) => (p && name !== 'Light' ? p.get(name) : linear(z, name));
    return { i, score: steady(missOf(goals, value) + TYPICALITY_WEIGHT * untypical(z)) };
  }).sort((a, b) => a.score - b.score || a.i - b.i);
  return steps[scored[0]!.i]!;
}
