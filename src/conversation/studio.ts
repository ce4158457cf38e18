import { searchStart, withStart } from '../latent/candidates.js';
import { chainFullText, MAX_EDITS } from './limits.js';
import { releaseHeldGoals } from './held-goals.js';
import { z } from 'zod';
import type { AttributeName } from '../face/attributes.js';
import { isFromPhoto, startOf, withoutOrigin, type Drawable, type Edit, type FaceRecord } from '../face/record.js';
import { axisGroups, MAX_CHARS } from '../grammar/index.js';
import type { AxisSet } from '../latent/axes.js';
import { faceLatent, keepInRange, MAX_WEIGHT } from '../latent/edit.js';
import { MAX_SEED } from '../latent/seed.js';
import type { SteerResult } from '../latent/steer.js';
import { labelDescription, labelPng } from '../render/png-label.js';
import type { FaceRenderer } from '../render/types.js';
import { newFaceId } from '../store/ids.js';
import type { FaceStore } from '../store/types.js';
import type { EngineContext, EngineReply, StudioControls, StudioReply, StudioRequest, StudioState } from './types.js';
import { captionForEdits, shortfallNotes } from './wording.js';

/*
 * The studio (npm run studio, src/studio): one slider per axis, a lock per axis, seed, reroll, undo and a
 * text box, on a local web page. This is its side of the engine.
 *
 * A slider is a relative step on its axis from the face as drawn without the sliders (0 = the seed as drawn,
 * or the mix as made): the sliders of a face are ONE 'step' edit, kept right after the seed (after the
 * edit that says a face was mixed, if it was), with the weights of the sliders that are not at 0 and the
 * locked axes as its locks; the words typed in the text box (or in the chat) are the edits after it and
 * replay on top. So moving a slider later replays the words on the new base, a lock holds the axis while the
 * other sliders move and through every later edit (Edit.locks persist), and the number of edits (so the
 * closed loop's cost) does not grow with the number of slider moves.
 *
 * What is stored when:
 * - while a slider is dragged: previews, rendered through the render queue and never stored. A preview is
 *   the face's drawn (closed-loop) latent plus the open-loop change the new sliders make, so it starts from
 *   exactly the picture shown and costs one generator pass (no F);
 * - on release of a slider, and on a lock turned on or off: a new face (parent: the face it changed, made
 *   current), drawn through the closed loop like every face; undo steps back one release;
 * - words: the engine's refine (same grammar, same replies); a seed: a new face with the same edits;
 *   reroll and undo: the engine's own.
 * A request that is not valid (unknown axes, values out of range or not finite, a locked axis moved, a bad
 * seed, unknown fields) gets an 'invalid' reply that says what is wrong, and nothing is stored.
 */

/** A slider's range: the weights the edit maths accepts (src/latent/edit.ts). */
export const SLIDER_MAX = MAX_WEIGHT;
/** Slider values are kept to this precision (the page's step). */
export const SLIDER_STEP = 0.05;
/** How the sliders' edit starts: its text is the record of what the sliders were ("studio sliders: Smiling +0.80"). */
export const SLIDER_EDIT_PREFIX = 'studio sliders';
/** Drawn latents kept in memory (by face id: faces never change) so previews start from the picture shown. */
const LATENT_CACHE = 64;

/** Slider values by axis name (those not at 0). */
export type Sliders = Record<string, number>;

type TextReply = Extract<EngineReply, { kind: 'text' }>;

function text(reason: TextReply['reason'], message: string): TextReply {
  return { kind: 'text', text: message, reason };
}

function invalid(message: string): Extract<StudioReply, { kind: 'invalid' }> {
  return { kind: 'invalid', text: message };
}

function signed(w: number): string {
  return `${w > 0 ? '+' : '-'}${Math.abs(w).toFixed(2)}`;
}

/** The sliders' edit text: "studio sliders: Smiling +0.80, Bangs -0.50; locked: Eyeglasses". */
export function sliderEditText(sliders: Sliders, locks: readonly AttributeName[]): string {
  const moved = (Object.entries(sliders) as Array<[AttributeName, number]>).map(([name, w]) => `${name} ${signed(w)}`).join(', ');
  const held = locks.length ? `locked: ${locks.join(', ')}` : '';
  return `${SLIDER_EDIT_PREFIX}: ${[moved, held].filter(Boolean).join('; ') || 'none'}`;
}

/** Whether an edit is the sliders' edit (made by the studio: marked so, step weights only, no age). */
export function isSliderEdit(edit: Edit): boolean {
  const names = Object.keys(edit.weights);
  return edit.source === 'studio' && !edit.made && !edit.age
    && names.length === Object.keys(edit.mode).length && names.every((n) => edit.mode[n as AttributeName] === 'step');
}

/**
 * Where the sliders' edit is (or goes): first, after the edits that made the face from others (a mix) and
 * the lock-only edit a reroll of a mix leaves in their place ("keep: Male").
 */
function sliderSlot(edits: readonly Edit[]): { index: number; present: boolean } {
  let index = 0;
  const leading = (e: Edit) => e.made !== undefined || (Object.keys(e.weights).length === 0 && !e.age && !isSliderEdit(e));
  while (index < edits.length && leading(edits[index]!)) index++;
  const at = edits[index];
  return { index, present: at !== undefined && isSliderEdit(at) };
}

/** A face's sliders (those not at 0) and locked axes, as the studio shows them. */
export function slidersOf(face: Pick<FaceRecord, 'edits'>): { sliders: Sliders; locks: AttributeName[] } {
  const { index, present } = sliderSlot(face.edits);
  if (!present) return { sliders: {}, locks: [] };
  const edit = face.edits[index]!;
  return { sliders: { ...edit.weights }, locks: [...edit.locks] };
}

/** Values kept to the slider's step, zeros dropped, in the axes' order (CelebA's); locks in the same order. */
function canonical(sliders: Sliders, locks: Iterable<AttributeName>, axes: AxisSet): { sliders: Sliders; locks: AttributeName[] } {
  const out: Sliders = {};
  for (const name of axes.names()) {
    const v = sliders[name];
    if (v === undefined) continue;
    const kept = Math.round(v / SLIDER_STEP) * SLIDER_STEP;
    const rounded = Math.round(kept * 100) / 100;
    if (rounded !== 0) out[name] = rounded;
  }
  const held = new Set(locks);
  return { sliders: out, locks: axes.names().filter((n) => held.has(n)) };
}

/** The edits with the sliders' edit replaced (or added, or removed when no slider is moved and nothing is locked). */
export function withSliders(given: readonly Edit[], sliders: Sliders, locks: readonly AttributeName[]): Edit[] {
  // the seed search's pick (Edit.start) belongs to the face, not to an edit: it stays on whichever edit is first
  const start = searchStart(given);
  const edits = start ? withStart(given, undefined) : given;
  const { index, present } = sliderSlot(edits);
  const names = Object.keys(sliders) as AttributeName[];
  const edit: Edit = {
    text: sliderEditText(sliders, locks),
    weights: { ...sliders },
    mode: Object.fromEntries(names.map((n) => [n, 'step' as const])),
    locks: [...locks],
    source: 'studio',
  };
  const keep = names.length > 0 || locks.length > 0 ? [edit] : [];
  const out = [...edits.slice(0, index), ...keep, ...edits.slice(present ? index + 1 : index)];
  return start ? withStart(out, start) : out;
}

function sameSliders(a: { sliders: Sliders; locks: AttributeName[] }, b: { sliders: Sliders; locks: AttributeName[] }): boolean {
  return JSON.stringify(a.sliders) === JSON.stringify(b.sliders) && a.locks.join() === b.locks.join();
}

/**
 * The controls the page draws: every axis the models have, grouped as /face axes groups them (age and
 * gender, hair, face, expression, accessories, image), the weak ones marked as /face axes marks them
 * (controllable false: the model cannot change it reliably yet). An axis in no group comes last, under 'other'.
 */
export function studioControls(axes: AxisSet): StudioControls {
  const weak = (name: AttributeName) => axes.get(name)?.controllable === false;
  const groups = axisGroups()
    .map((g) => ({
      group: g.group,
      axes: g.attributes.filter((a) => axes.get(a.name) !== undefined).map((a) => ({ name: a.name, label: a.label, opposite: a.opposite, weak: weak(a.name) })),
    }))
    .filter((g) => g.axes.length > 0);
  const grouped = new Set(groups.flatMap((g) => g.axes.map((a) => a.name)));
  const rest = axes.names().filter((n) => !grouped.has(n));
  if (rest.length) {
    const label = (n: string) => n.replace(/_/g, ' ').toLowerCase();
    groups.push({ group: 'other', axes: rest.map((n) => ({ name: n, label: label(n), opposite: `less ${label(n)}`, weak: weak(n) })) });
  }
  return { min: -SLIDER_MAX, max: SLIDER_MAX, step: SLIDER_STEP, groups };
}

// ---- requests ----

const FaceIdSchema = z.string({ error: 'faceId must be a face id (a string)' })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'faceId must be a face id: up to 64 letters, digits, - or _');
const SliderValuesSchema = z.record(z.string(), z.unknown(), { error: 'sliders must be an object: {"Smiling": 0.5, ...}' });
const LocksSchema = z.array(z.string({ error: 'locks must be axis names' }), { error: 'locks must be a list of axis names' }).max(200, 'too many locks');

const RequestSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('open') }),
  z.strictObject({ action: z.literal('preview'), faceId: FaceIdSchema, sliders: SliderValuesSchema, locks: LocksSchema.default([]) }),
  z.strictObject({ action: z.literal('set'), faceId: FaceIdSchema, sliders: SliderValuesSchema, locks: LocksSchema.default([]) }),
  z.strictObject({
    action: z.literal('text'), faceId: FaceIdSchema,
    text: z.string({ error: 'text must be a string' }).max(MAX_CHARS, `text is longer than ${MAX_CHARS} characters`),
  }),
  z.strictObject({
    action: z.literal('seed'), faceId: FaceIdSchema,
    seed: z.number({ error: `seed must be a whole number from 0 to ${MAX_SEED}` })
      .int(`seed must be a whole number from 0 to ${MAX_SEED}`).min(0, `seed must be a whole number from 0 to ${MAX_SEED}`)
      .max(MAX_SEED, `seed must be a whole number from 0 to ${MAX_SEED}`),
  }),
  z.strictObject({ action: z.literal('reroll'), faceId: FaceIdSchema }),
  z.strictObject({ action: z.literal('undo'), faceId: FaceIdSchema }),
]);

export const STUDIO_ACTIONS = ['open', 'preview', 'set', 'text', 'seed', 'reroll', 'undo'] as const;

type Parsed = z.infer<typeof RequestSchema>;
type SliderRequest = Extract<Parsed, { action: 'preview' | 'set' }>;

/** A request as the studio's engine method takes it, or what is wrong with it (in words for the page). */
export function parseStudioRequest(body: unknown): Parsed | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the request must be a JSON object with an "action"';
  const action = (body as { action?: unknown }).action;
  if (typeof action !== 'string' || !(STUDIO_ACTIONS as readonly string[]).includes(action)) {
    return `unknown action ${JSON.stringify(action ?? null)}: it must be one of ${STUDIO_ACTIONS.join(', ')}`;
  }
  const parsed = RequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  return parsed.error.issues
    .map((i) => (i.code === 'unrecognized_keys' ? `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} for "${action}"` : `${i.path.join('.') || 'request'}: ${i.message}`))
    .join('; ');
}

/** The axis a request names, if the models have it (Object.hasOwn: "__proto__" and such are unknown axes too). */
function axisName(name: string, axes: AxisSet): AttributeName | undefined {
  return axes.names().includes(name as AttributeName) ? (name as AttributeName) : undefined;
}

function unknownAxes(names: string[]): string {
  const list = names.slice(0, 5).map((n) => `"${n.slice(0, 40)}"`).join(', ');
  return `unknown axis${names.length > 1 ? 'es' : ''} ${list}${names.length > 5 ? ' …' : ''}: the axes are the attribute names the controls list (Smiling, Eyeglasses, Male, …)`;
}

/** The sliders and locks of a request checked against the axes and the base face, or what is wrong. */
export function checkSliders(
  request: Pick<SliderRequest, 'sliders' | 'locks'>, base: Pick<FaceRecord, 'edits'>, axes: AxisSet,
): { sliders: Sliders; locks: AttributeName[] } | string {
  const unknown = [...Object.keys(request.sliders), ...request.locks].filter((n) => !axisName(n, axes));
  if (unknown.length) return unknownAxes([...new Set(unknown)]);
  const sliders: Sliders = {};
  for (const [name, value] of Object.entries(request.sliders)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return `${name}: a slider value must be a finite number from ${-SLIDER_MAX} to ${SLIDER_MAX}, not ${typeof value === 'number' ? String(value) : JSON.stringify(value)?.slice(0, 40)}`;
    }
    if (Math.abs(value) > SLIDER_MAX) return `${name}: ${value} is out of range: a slider goes from ${-SLIDER_MAX} to ${SLIDER_MAX}`;
    sliders[name as AttributeName] = value;
  }
  const wanted = canonical(sliders, request.locks as AttributeName[], axes);
  const before = slidersOf(base);
  const moved = wanted.locks.filter((n) => before.locks.includes(n) && (wanted.sliders[n] ?? 0) !== (before.sliders[n] ?? 0));
  if (moved.length) return `${moved.join(', ')} ${moved.length > 1 ? 'are' : 'is'} locked: unlock ${moved.length > 1 ? 'them' : 'it'} before moving ${moved.length > 1 ? 'them' : 'it'}`;
  return wanted;
}

// ---- the engine method ----

export interface StudioDeps {
  store: FaceStore;
  renderer: FaceRenderer;
  axes: AxisSet;
  model: string;
  software: string;
  now: () => number;
  /** ψ of a new face (the engine's default). */
  truncation: number;
  /** A random seed, other than `avoid` (the engine's). */
  newSeed: (avoid?: number) => number;
  /** The latent a face is drawn with (the engine's faceLatentFor: closed loop). */
  latentOf: (face: Drawable) => Promise<{ z: Float32Array; steer?: SteerResult }>;
  /** The given face, else the user's current one (the engine's findFace). */
  findFace: (ctx: EngineContext, faceId?: string) => Promise<FaceRecord | 'gone' | undefined>;
  /** The engine's own refine, reroll and undo (not serialised again: the studio runs them inside `serial`). */
  refine: (ctx: EngineContext, words: string, faceId?: string) => Promise<EngineReply>;
  reroll: (ctx: EngineContext, faceId?: string) => Promise<EngineReply>;
  undo: (ctx: EngineContext, faceId?: string) => Promise<EngineReply>;
  /** What to say when a face was drawn by other models than the current ones (the engine's olderModelNote). */
  olderModelNote: (face: Pick<FaceRecord, 'model'>) => string | undefined;
  /** Runs fn after the user's previous request has settled (the engine's one-at-a-time per user). */
  serial: <T>(userId: string, fn: () => Promise<T>) => Promise<T>;
}

const FACE_GONE = 'I cannot find that face any more: reload the studio to open your current face.';

export function createStudio(deps: StudioDeps): (ctx: EngineContext, request: StudioRequest) => Promise<StudioReply> {
  const { store, renderer, axes, model, software } = deps;
  const latents = new Map<string, Float32Array>();

  function remember(faceId: string, z: Float32Array): void {
    latents.delete(faceId);
    latents.set(faceId, z);
    while (latents.size > LATENT_CACHE) latents.delete(latents.keys().next().value!);
  }

  /** The latent a stored face is drawn with (closed loop, once per face), and what its loop missed when computed now. */
  async function drawnLatent(face: FaceRecord): Promise<{ z: Float32Array; shortfalls: string[] }> {
    const known = latents.get(face.id);
    if (known) return { z: known, shortfalls: [] };
    const { z, steer } = await deps.latentOf(face);
    remember(face.id, z);
    return { z, shortfalls: shortfallNotes(steer?.shortfalls) };
  }

  function label(face: Drawable, png: Buffer, caption: string): { png: Buffer; altText: string } {
    const l = { software, seed: face.seed, truncation: face.truncation, edits: face.edits.map((e) => e.text), caption, model, fromPhoto: isFromPhoto(face) };
    return { png: labelPng(png, l), altText: labelDescription(l) };
  }

  function stateOf(face: FaceRecord): StudioState {
    const { sliders, locks } = slidersOf(face);
    return { face, caption: captionForEdits(face.edits), sliders, locks, canUndo: face.parentId !== null };
  }

  function faceReply(
    face: FaceRecord, drawn: { png: Buffer; altText: string }, stored: boolean, said: string, more: { unknown?: string[]; notes?: string[]; controls?: StudioControls } = {},
  ): StudioReply {
    return {
      kind: 'studio', state: stateOf(face), png: drawn.png, altText: drawn.altText, stored, said,
      unknown: more.unknown ?? [], notes: more.notes ?? [], ...(more.controls ? { controls: more.controls } : {}),
    };
  }

  /** Renders a stored face (its drawn latent) without storing anything. */
  async function show(ctx: EngineContext, face: FaceRecord): Promise<{ png: Buffer; altText: string; shortfalls: string[] }> {
    const { z, shortfalls } = await drawnLatent(face);
    const png = await renderer.renderPng(z, { onQueued: ctx.onQueued });
    return { ...label(face, png, captionForEdits(face.edits)), shortfalls };
  }

  /** Draws (closed loop), then saves and makes current: as the engine's create, keeping the latent for previews. */
  async function save(ctx: EngineContext, fields: Drawable & Pick<FaceRecord, 'parentId'>, said: string): Promise<StudioReply> {
    const face: FaceRecord = { id: newFaceId(), ownerId: ctx.userId, createdAt: deps.now(), model, ...fields };
    const { z, steer } = await deps.latentOf(face);
    const png = await renderer.renderPng(z, { onQueued: ctx.onQueued });
    const drawn = label(face, png, captionForEdits(face.edits));
    await store.saveFace(face);
    await store.setCurrentFaceId(ctx.userId, face.id);
    remember(face.id, z);
    return faceReply(face, drawn, true, said, { notes: shortfallNotes(steer?.shortfalls) });
  }

  /** An engine reply (refine, reroll, undo) as the studio's: a face with its state, or the text as it is. */
  function fromEngine(reply: EngineReply): StudioReply {
    if (reply.kind === 'text') return reply;
    return faceReply(reply.face, reply, true, reply.caption, { unknown: reply.unknown, notes: reply.notes });
  }

  async function base(ctx: EngineContext, faceId: string): Promise<FaceRecord | TextReply> {
    const face = await deps.findFace(ctx, faceId);
    return face && face !== 'gone' ? face : text('no-face', FACE_GONE);
  }

  async function open(ctx: EngineContext): Promise<StudioReply> {
    const controls = studioControls(axes);
    const found = await deps.findFace(ctx);
    if (!found || found === 'gone') {
      const reply = await save(ctx, { seed: deps.newSeed(), edits: [], parentId: null, truncation: deps.truncation }, 'a new face');
      return reply.kind === 'studio' ? { ...reply, controls } : reply;
    }
    const drawn = await show(ctx, found);
    const older = deps.olderModelNote(found);
    return faceReply(found, drawn, false, 'your current face', { notes: [...drawn.shortfalls, ...(older ? [older] : [])], controls });
  }

  /** The face a slider request names and its checked sliders, or the reply that says what is wrong. */
  async function slidersFor(
    ctx: EngineContext, request: Extract<Parsed, { action: 'preview' | 'set' }>,
  ): Promise<{ face: FaceRecord; wanted: Exclude<ReturnType<typeof checkSliders>, string> } | StudioReply> {
    // names and ranges first (a bad request is said as such, whatever the face); the locks need the face
    const shape = checkSliders(request, { edits: [] }, axes);
    if (typeof shape === 'string') return invalid(shape);
    const face = await base(ctx, request.faceId);
    if ('kind' in face) return face;
    const wanted = checkSliders(request, face, axes);
    return typeof wanted === 'string' ? invalid(wanted) : { face, wanted };
  }

  /** While a slider moves: the picture shown plus the open-loop change of the new sliders; not stored. */
  async function preview(ctx: EngineContext, request: Extract<Parsed, { action: 'preview' }>): Promise<StudioReply> {
    const read = await slidersFor(ctx, request);
    if ('kind' in read) return read;
    const { face, wanted } = read;
    const next: Drawable = { ...face, edits: withSliders(face.edits, wanted.sliders, wanted.locks) };
    const { z: drawn } = await drawnLatent(face);
    const before = faceLatent(face, axes);
    const after = faceLatent(next, axes);
    const z = keepInRange(drawn.map((x, i) => x + after[i]! - before[i]!));
    const png = await renderer.renderPng(z, { onQueued: ctx.onQueued });
    const labelled = label(next, png, `preview (not saved): ${captionForEdits(next.edits)}`);
    return { kind: 'preview', faceId: face.id, sliders: wanted.sliders, png: labelled.png, altText: labelled.altText };
  }

  /** A slider released, or a lock turned: a new face. */
  async function set(ctx: EngineContext, request: Extract<Parsed, { action: 'set' }>): Promise<StudioReply> {
    const read = await slidersFor(ctx, request);
    if ('kind' in read) return read;
    const { face, wanted } = read;
    const before = slidersOf(face);
    if (sameSliders(before, wanted)) return text('nothing-changed', 'Nothing changed: the sliders and locks are where this face has them.');
    const said = describeChange(before, wanted);
    // a lock released lets that axis change: goals held on it from earlier words go too (./held-goals.ts)
    const released = before.locks.filter((n) => !wanted.locks.includes(n));
    const edits = releaseHeldGoals(withSliders(face.edits, wanted.sliders, wanted.locks), released);
    if (edits.length > MAX_EDITS) return text('error', chainFullText());
    return save(ctx, { seed: face.seed, edits, parentId: face.id, truncation: face.truncation, ...startOf(face) }, said);
  }

  async function seed(ctx: EngineContext, request: Extract<Parsed, { action: 'seed' }>): Promise<StudioReply> {
    const face = await base(ctx, request.faceId);
    if ('kind' in face) return face;
    if (request.seed === face.seed && !face.jitter && !face.origin) return text('nothing-changed', `This face already has seed ${face.seed}.`);
    // the old seed's search pick means nothing for another seed: the studio's seed box draws the seed as it is
    const edits = withStart(face.origin ? withoutOrigin(face.edits) : face.edits, undefined);
    // a mix keeps ψ inside its latent (truncation 1): a new seed takes the configured ψ again
    const truncation = face.origin ? deps.truncation : face.truncation;
    return save(ctx, { seed: request.seed, edits, parentId: face.id, truncation }, `seed ${request.seed}`);
  }

  async function run(ctx: EngineContext, request: Parsed): Promise<StudioReply> {
    switch (request.action) {
      case 'open': return open(ctx);
      case 'preview': return preview(ctx, request);
      case 'set': return set(ctx, request);
      case 'seed': return seed(ctx, request);
      case 'text': return fromEngine(await deps.refine(ctx, request.text, request.faceId));
      case 'reroll': return fromEngine(await deps.reroll(ctx, request.faceId));
      case 'undo': return fromEngine(await deps.undo(ctx, request.faceId));
    }
  }

  return async (ctx, request) => {
    const parsed = parseStudioRequest(request);
    if (typeof parsed === 'string') return invalid(parsed);
    // previews only read: they do not wait behind the user's other requests (the page keeps one in flight)
    if (parsed.action === 'preview') return run(ctx, parsed);
    return deps.serial(ctx.userId, () => run(ctx, parsed));
  };
}

/** What a release changed, in words: "Smiling +0.80", "locked Eyeglasses", "Bangs back to 0". */
function describeChange(before: { sliders: Sliders; locks: AttributeName[] }, after: { sliders: Sliders; locks: AttributeName[] }): string {
  const parts: string[] = [];
  for (const name of new Set([...Object.keys(before.sliders), ...Object.keys(after.sliders)]) as Set<AttributeName>) {
    const a = before.sliders[name] ?? 0;
    const b = after.sliders[name] ?? 0;
    if (a !== b) parts.push(b === 0 ? `${name} back to 0` : `${name} ${signed(b)}`);
  }
  for (const name of after.locks) if (!before.locks.includes(name)) parts.push(`locked ${name}`);
  for (const name of before.locks) if (!after.locks.includes(name)) parts.push(`unlocked ${name}`);
  return parts.join(', ');
}
