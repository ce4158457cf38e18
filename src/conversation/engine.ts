import { parseDescription, captionFor } from '../grammar/index.js';
import { withoutRevision } from '../latent/revision.js';
import type { ParseResult } from '../grammar/types.js';
import type { AxisSet } from '../latent/axes.js';
import { faceLatent } from '../latent/edit.js';
import { sigmoid } from '../latent/vector.js';
import { batchReads, steerFace, type FaceReading, type ReadFaces, type SteerResult } from '../latent/steer.js';
import { SteerCache, steerFaceCached } from '../latent/steer-cache.js';
import { searchSeed, searchStep } from '../latent/seed-search.js';
import { searchStart, withStart } from '../latent/candidates.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { isFromPhoto, startOf, withoutOrigin, type Drawable, type Edit, type FaceRecord } from '../face/record.js';
import { isValidSeed, MAX_SEED, randomSeed } from '../latent/seed.js';
import { DEFAULT_TRUNCATION } from '../latent/truncation.js';
import { labelDescription, labelPng, type FaceLabel } from '../render/png-label.js';
import type { FaceRenderer, FaceScorer } from '../render/types.js';
import { SOFTWARE } from '../version.js';
import { newFaceId } from '../store/ids.js';
import type { FaceStore } from '../store/types.js';
import { InMemoryUserLock, type UserLock } from '../shared-state/user-lock.js';
import { changesNothing } from './changes.js';
import { heldGoalsExplain, heldGoalStatus, withHeldGoals } from './held-goals.js';
import { createMix } from './mix.js';
import { createMorph } from './morph.js';
import { createStudio } from './studio.js';
import { createPhoto, type PhotoDeps } from './photo.js';
import { composeGrid, GRID_FACES, VARY_STEP } from './grid.js';
import { chainFullText, MAX_EDITS, storedText, withStoredTextNote } from './limits.js';
import type { ConversationEngine, CurrentFace, EngineContext, EngineReply, FourReply } from './types.js';
import {
  axesHelpText, captionForEdits, emptyTextHelp, explainScores, forgetText, gridShortfalls, nothingChangedText, nothingUnderstoodText,
  shortfallNotes,
} from './wording.js';

/**
 * The latent a face is drawn from: every edit steered by F on the rendered face when the scorer can read
 * faces (closed loop, src/latent/steer.ts), else the linear edits. `read` may batch the reads of
 * concurrent requests (batchReads); the result is the same.
 */
export async function faceLatentFor(
  face: Drawable, axes: AxisSet, scorer: FaceScorer, read?: ReadFaces, cache?: SteerCache,
): Promise<{ z: Float32Array; steer?: SteerResult }> {
  if (!scorer.read) return { z: faceLatent(face, axes) };
  const reader: ReadFaces = read ?? ((zs, options) => scorer.read!(zs, options));
  // with a cache, only the edits after the longest steered prefix (the parent's) run through the loop
  const steer = cache ? await steerFaceCached(face, axes, reader, cache) : await steerFace(face, axes, reader);
  return { z: steer.z, steer };
}

/**
 * A new face's edits with where the seed search starts it (src/latent/seed-search.ts) on the first one: the
 * candidate of set `set` of the seed that already best matches the words and looks real. Only with a scorer
 * that reads faces, and not for faces made from other faces (their latent is their origin's); words with
 * nothing to rank by keep the seed's own latent.
 */
export async function searchedEdits(
  face: Pick<Drawable, 'seed' | 'edits' | 'truncation' | 'origin'>, axes: AxisSet, scorer: FaceScorer, read?: ReadFaces, set = 0,
): Promise<Edit[]> {
  if (!scorer.read || face.origin || face.edits.length === 0) return face.edits;
  const reader: ReadFaces = read ?? ((zs, options) => scorer.read!(zs, options));
  // the candidates are new faces: nobody to hold yet, so the identity network is not read on them
  const found = await searchSeed(face, axes, (zs) => reader(zs, { identity: false }), set);
  return withStart(face.edits, found?.start);
}

export interface EngineDeps {
  store: FaceStore;
  renderer: FaceRenderer;
  scorer: FaceScorer;
  axes: AxisSet;
  /** Which models draw faces now (FaceModels.version: generator and axes fingerprints), recorded on every face. */
  model: string;
  /** Truncation psi of new faces unless the words ask otherwise (default DEFAULT_TRUNCATION). */
  truncation?: number;
  /** Uniform in [0, 1), for new seeds (default Math.random). */
  random?: () => number;
  /** Clock for createdAt (default Date.now). */
  now?: () => number;
  /** The software name and version written into every PNG's label (default: package.json's). */
  software?: string;
  /**
   * The per-user one-at-a-time rule (default: in memory, this process only). With REDIS_URL the bot passes
   * one shared by all its processes; it may reject with SharedStateUnavailableError (nothing was run).
   */
  userLock?: UserLock;
  /** Faces from photos (src/conversation/photo.ts): the inverter, or why there is none. Absent: not available. */
  photo?: PhotoDeps;
}

/** A face made from someone else's photo: only its owner may use it (thrown inside, answered as text). */
class NotYourPhotoError extends Error {}
const NOT_YOUR_PHOTO = 'That face was made from someone\'s photo: only the person who uploaded it can refine, mix or animate it.';

type TextReason = Extract<EngineReply, { kind: 'text' }>['reason'];

function text(reason: TextReason, message: string): Extract<EngineReply, { kind: 'text' }> {
  return { kind: 'text', text: message, reason };
}

function understoodAnything(parse: ParseResult): boolean {
  return Object.keys(parse.weights).length > 0 || parse.locks.length > 0 || parse.truncation !== undefined;
}

/** The grammar's caption, plus how typical the face was asked to be. */
function captionWithTypicality(parse: ParseResult): string {
  const caption = captionFor(parse);
  if (parse.truncation === undefined) return caption;
  const typical = `${parse.typicality ?? 'typicality'} (ψ ${parse.truncation})`;
  return caption ? `${caption}, ${typical}` : typical;
}

/**
 * Faces are stored as a seed plus edits, and only the current models ship, so a face drawn by earlier ones
 * (another generator: another-looking person; other axes: the edits land differently) is redrawn by the
 * current ones. Said, not hidden.
 */
export function olderModelNote(face: Pick<FaceRecord, 'model'>, model: string): string | undefined {
  if (face.model === model) return undefined;
  if (face.model !== null && withoutRevision(face.model) === withoutRevision(model)) {
    return 'this face was first drawn before a change to how the words steer a face, so it may look a little different now: the same seed, edits and models';
  }
  if (face.model === null) return 'this face is from before model versions were recorded: if the face models changed since, it looks different now';
  return 'this face was first drawn by an earlier version of the face models, so it looks different now: the same seed and edits, redrawn by the current ones';
}

/**
 * The edit a message makes: what the grammar understood of it, with the text as typed. A refinement
 * (`refining`: a message about a face already drawn) does not take a gender from a he/she word alone when it
 * asks for anything else: in "make him younger" the "him" points at the face, it does not ask for a man (the
 * engine holds the face's gender as it is); "make it a him" still does.
 */
export function editFrom(textTyped: string, parse: ParseResult, refining = false): Edit {
  let { weights, mode } = parse;
  if (refining && parse.genderFromPronoun && (Object.keys(weights).length > 1 || parse.locks.length > 0 || parse.truncation !== undefined)) {
    weights = Object.fromEntries(Object.entries(weights).filter(([k]) => k !== 'Male'));
    mode = Object.fromEntries(Object.entries(mode).filter(([k]) => k !== 'Male'));
  }
  return { text: storedText(textTyped), weights, mode, locks: parse.locks, ...(parse.age ? { age: parse.age } : {}) };
}

const NO_FACE = 'There is no face to work on yet: describe one first.';
const FACE_GONE = 'I cannot find that face any more: describe a new one.';
const COPY_NOTE = 'this is your own copy: the face you started from stays as its owner left it';
const NOT_YOURS_TO_UNDO = 'Only the person who made this face can undo it; refine or reroll it to make your own copy.';
const NOT_LATEST = 'Undo steps back from your latest face, and this is an older one: refine it to change it, or undo your latest face.';

/**
 * The conversation: words in, faces out, and the front ends' one door to the store and the render queue
 * (message links, the current face, explain's F pass all go through here).
 * Parse problems come back as text replies and never throw;
 * render and store errors (QueueFullError, RenderTimeoutError, ...) propagate for the front end to word.
 * A face is only saved (and made current) once it has rendered, so a failed render loses nothing.
 * Requests of one user run one after another, so two quick refines both apply.
 */
export function createEngine(deps: EngineDeps): ConversationEngine {
  const { store, renderer, scorer, axes, model } = deps;
  const software = deps.software ?? SOFTWARE;
  const now = deps.now ?? Date.now;
  const defaultTruncation = deps.truncation ?? DEFAULT_TRUNCATION;
  const userLock = deps.userLock ?? new InMemoryUserLock();
  // the closed loop's G+F passes of concurrent requests run as one batch
  const read = scorer.read ? batchReads((zs, options) => scorer.read!(zs, options)) : undefined;
  // each face's steered latent, so a request steers only its new edit (src/latent/steer-cache.ts)
  const steerCache = new SteerCache();
  const latentOf = (face: Drawable) => faceLatentFor(face, axes, scorer, read, steerCache);

  /** Runs fn after the user's previous request has settled (in this process, or in every one sharing the lock). */
  function oneAtATime<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    return userLock.run(userId, fn);
  }

  function newSeed(avoid?: number): number {
    for (let i = 0; i < 8; i++) {
      const seed = randomSeed(deps.random);
      if (seed !== avoid) return seed;
    }
    return ((avoid ?? 0) + 1) % (MAX_SEED + 1);
  }

  /** The face's latent (edits steered by F when it can read faces), rendered; and what the loop missed. */
  async function render(
    ctx: EngineContext, face: Drawable,
  ): Promise<{ png: Buffer; altText: string; shortfalls: string[]; label: FaceLabel }> {
    // the steering's G+F passes wait in the render queue like renders: its capacity and timeout bound them
    const { z, steer } = await renderer.runInLine(() => latentOf(face), { onQueued: ctx.onQueued });
    const png = await renderer.renderPng(z, { onQueued: ctx.onQueued });
    // every picture says what it is, inside the file (the front ends say it too: Discord may strip this)
    const label = {
      software, seed: face.seed, truncation: face.truncation, edits: face.edits.map((e) => e.text), caption: captionForEdits(face.edits), model,
      fromPhoto: isFromPhoto(face),
    };
    return { png: labelPng(png, label), altText: labelDescription(label), shortfalls: shortfallNotes(steer?.shortfalls), label };
  }

  /** Renders, then saves and makes current: the one way a new face comes into being. */
  async function create(
    ctx: EngineContext,
    fields: Drawable & Pick<FaceRecord, 'parentId'>,
    words: { caption: string; unknown?: string[]; notes?: string[] },
  ): Promise<EngineReply> {
    return createFace(ctx, { id: newFaceId(), ownerId: ctx.userId, createdAt: now(), model, ...fields }, words);
  }

  /** create() for a record already made; `shown` makes the reply's picture from the face's (a photo's side by side). */
  async function createFace(
    ctx: EngineContext, face: FaceRecord, words: { caption: string; unknown?: string[]; notes?: string[] }, shown?: (png: Buffer) => Promise<Buffer>,
  ): Promise<EngineReply> {
    const { png, altText, shortfalls, label } = await render(ctx, face);
    const reply = shown ? labelPng(await shown(png), label) : png;
    await ctx.beforeStore?.(face, png);
    await store.saveFace(face);
    await store.setCurrentFaceId(ctx.userId, face.id);
    const notes = [...(words.notes ?? []), ...shortfalls];
    return { kind: 'face', face, png: reply, altText, caption: words.caption, unknown: words.unknown ?? [], notes };
  }

  function withOlderModelNote(notes: string[], face: Pick<FaceRecord, 'model'>): string[] {
    const older = olderModelNote(face, model);
    return older ? [...notes, older] : notes;
  }

  /** A face made from someone else's is the actor's own copy: said, so nobody thinks they changed the original. */
  function withCopyNote(ctx: EngineContext, notes: string[], base: Pick<FaceRecord, 'ownerId'>): string[] {
    return base.ownerId === ctx.userId ? notes : [...notes, COPY_NOTE];
  }

  // who is acting, for getFace's photo check (set around every request in guarded)
  const acting = new AsyncLocalStorage<string>();

  /** A stored face; throws NotYourPhotoError for a face from someone else's photo. */
  async function getFace(id: string): Promise<FaceRecord | undefined> {
    const face = await store.getFace(id);
    const user = acting.getStore();
    if (face && user !== undefined && face.ownerId !== user && isFromPhoto(face)) throw new NotYourPhotoError();
    return face;
  }

  /** Runs a request with its user known to getFace; a face from someone else's photo is answered in words. */
  async function guarded<T>(ctx: EngineContext, fn: () => Promise<T>): Promise<T | Extract<EngineReply, { kind: 'text' }>> {
    try {
      return await acting.run(ctx.userId, fn);
    } catch (err) {
      if (err instanceof NotYourPhotoError) return text('error', NOT_YOUR_PHOTO);
      throw err;
    }
  }

  /** The given face, else the user's current one; `gone` when a given id is unknown. */
  async function findFace(ctx: EngineContext, faceId?: string): Promise<FaceRecord | 'gone' | undefined> {
    if (faceId !== undefined) return (await getFace(faceId)) ?? 'gone';
    const current = await store.getCurrentFaceId(ctx.userId);
    // through getFace too: a current face reached by undo or a copy must not open someone else's photo face
    return current === undefined ? undefined : getFace(current);
  }

  /** A new face's words (and seed, if given) read, or the text reply that says why nothing can be drawn. */
  function readNewFace(words: string, seed?: number): ParseResult | Extract<EngineReply, { kind: 'text' }> {
    if (seed !== undefined && !isValidSeed(seed)) {
      return text('error', `The seed must be a whole number from 0 to ${MAX_SEED}.`);
    }
    if (words.trim() === '') return text('nothing-understood', emptyTextHelp());
    const parse = parseDescription(words);
    if (!understoodAnything(parse)) return text('nothing-understood', nothingUnderstoodText(parse.unknown));
    return parse;
  }

  async function describe(ctx: EngineContext, words: string, seed?: number): Promise<EngineReply> {
    const parse = readNewFace(words, seed);
    if ('kind' in parse) return parse;
    const fields = { seed: seed ?? newSeed(), edits: [editFrom(words, parse)], truncation: parse.truncation ?? defaultTruncation };
    return create(
      ctx,
      // the search's G+F reads wait in the render queue like the steering's (capacity and timeout bound them)
      { ...fields, edits: await renderer.runInLine(() => searchedEdits(fields, axes, scorer, read), { onQueued: ctx.onQueued }), parentId: null },
      { caption: captionWithTypicality(parse), unknown: parse.unknown, notes: withStoredTextNote(words, parse.notes) },
    );
  }

  async function refine(ctx: EngineContext, words: string, faceId?: string): Promise<EngineReply> {
    const base = await findFace(ctx, faceId);
    if (base === 'gone') return text('no-face', FACE_GONE);
    if (!base) return describe(ctx, words);
    if (words.trim() === '') return text('nothing-understood', emptyTextHelp());
    if (base.edits.length >= MAX_EDITS) return text('error', chainFullText());
    const parse = parseDescription(words);
    if (!understoodAnything(parse)) return text('nothing-understood', nothingUnderstoodText(parse.unknown));
    // the goals of the face's earlier edits are held by this one unless its words name them (./held-goals.ts)
    const edit = withHeldGoals(base.edits, editFrom(words, parse, true));
    const shown = edit.weights === parse.weights ? parse : { ...parse, weights: edit.weights, mode: edit.mode };
    const fields = {
      seed: base.seed,
      edits: [...base.edits, edit],
      parentId: base.id,
      truncation: parse.truncation ?? base.truncation,
      ...startOf(base),
    };
    if (changesNothing(base, fields, axes)) return text('nothing-changed', nothingChangedText(words, parse.unknown, captionWithTypicality(shown)));
    return create(
      ctx,
      fields,
      { caption: captionWithTypicality(shown), unknown: parse.unknown, notes: withCopyNote(ctx, withOlderModelNote(withStoredTextNote(words, parse.notes), base), base) },
    );
  }

  async function reroll(ctx: EngineContext, faceId?: string): Promise<EngineReply> {
    const base = await findFace(ctx, faceId);
    if (base === 'gone') return text('no-face', FACE_GONE);
    if (!base) return text('no-face', NO_FACE);
    const edits = base.origin ? withoutOrigin(base.edits) : base.edits;
    const caption = captionForEdits(edits);
    const notes = base.origin ? [`a new seed replaces the ${base.origin.kind}: its edits since are kept (undo brings the ${base.origin.kind} back)`] : [];
    // a face the seed search started moves to the seed's next candidate set; any other face to a new seed
    const start = base.origin ? undefined : searchStart(base.edits);
    // a mix keeps ψ inside its latent (truncation 1): a new seed takes the configured ψ again
    const fields = { seed: start ? base.seed : newSeed(base.seed), edits, truncation: base.origin ? defaultTruncation : base.truncation };
    const searched = await renderer.runInLine(() => searchedEdits(fields, axes, scorer, read, start ? start.set + 1 : 0), { onQueued: ctx.onQueued });
    const what = start ? 'another face' : 'new seed';
    return create(
      ctx,
      // without a scorer that reads faces there is no search: the next set is a new seed then
      start && searchStart(searched) === undefined ? { ...fields, seed: newSeed(base.seed), edits: withStart(edits, undefined), parentId: base.id }
        : { ...fields, edits: searched, parentId: base.id },
      { caption: caption ? `${what} · ${caption}` : what, notes: withCopyNote(ctx, notes, base) },
    );
  }

  /** Why an Undo button under `faceId` may not undo for this user, if it may not. */
  async function buttonUndoRefusal(ctx: EngineContext, faceId: string, current: FaceRecord | undefined): Promise<EngineReply | undefined> {
    if (current?.id === faceId) return undefined;
    const face = await store.getFace(faceId);
    if (!face) return text('no-face', FACE_GONE);
    if (face.ownerId !== ctx.userId) return text('nothing-to-undo', NOT_YOURS_TO_UNDO);
    return text('nothing-to-undo', NOT_LATEST);
  }

  async function undo(ctx: EngineContext, faceId?: string): Promise<EngineReply> {
    const found = await findFace(ctx);
    const current = found === 'gone' ? undefined : found;
    if (faceId !== undefined) {
      const refusal = await buttonUndoRefusal(ctx, faceId, current);
      if (refusal) return refusal;
    }
    if (!current) return text('nothing-to-undo', `${NO_FACE} There is nothing to undo.`);
    // getFace: undo must not step back into someone else's photo face (a reroll of it, copied by a reply, has it as parent)
    const parent = current.parentId === null ? undefined : await getFace(current.parentId);
    if (!parent) return text('nothing-to-undo', 'This is the first version of this face: there is nothing to undo.');
    const { png, altText } = await render(ctx, parent);
    await ctx.beforeStore?.(parent, png);
    await store.setCurrentFaceId(ctx.userId, parent.id);
    const undone = current.seed !== parent.seed ? 'the reroll' : `"${current.edits.at(-1)?.text ?? ''}"`;
    const caption = captionForEdits(parent.edits);
    const notes = withOlderModelNote([], parent);
    return { kind: 'face', face: parent, png, altText, caption: `undid ${undone}${caption ? ` · ${caption}` : ''}`, unknown: [], notes };
  }

  /**
   * Four faces at once (pick from four): each latent made (the closed loop's reads batched together), then
   * all four handed to the render queue in the same tick, so they run through G as one batch. Saved, not
   * made current: the user picks one.
   */
  async function createFour(
    ctx: EngineContext,
    fields: Array<Drawable & Pick<FaceRecord, 'parentId'>>,
    words: { caption: string; unknown?: string[]; notes?: string[] },
  ): Promise<FourReply> {
    const faces: FaceRecord[] = fields.map((f) => ({ id: newFaceId(), ownerId: ctx.userId, createdAt: now(), model, ...f }));
    const latents = await renderer.runInLine(() => Promise.all(faces.map(latentOf)), { onQueued: ctx.onQueued });
    const pngs = await Promise.all(latents.map(({ z }) => renderer.renderPng(z, { onQueued: ctx.onQueued })));
    const first = faces[0]!;
    const seeds = faces.map((f) => f.seed).join(', ');
    const edits = captionForEdits(first.edits);
    const label = {
      software, seed: first.seed, truncation: first.truncation, edits: first.edits.map((e) => e.text), model, fromPhoto: isFromPhoto(first),
      caption: `four faces to pick from (seeds ${seeds})${edits ? `: ${edits}` : ''}`,
    };
    const png = labelPng(await composeGrid(pngs), label);
    for (const face of faces) await store.saveFace(face);
    const shortfalls = gridShortfalls(latents.map(({ steer }) => shortfallNotes(steer?.shortfalls)));
    return {
      kind: 'grid', faces, png, altText: labelDescription(label), caption: words.caption,
      unknown: words.unknown ?? [], notes: [...(words.notes ?? []), ...shortfalls],
    };
  }

  /** Four different random seeds (a constant `random`, as in tests, gives four consecutive ones). */
  function fourSeeds(): number[] {
    const seeds: number[] = [];
    while (seeds.length < GRID_FACES) {
      let seed = randomSeed(deps.random);
      for (let i = 0; i < 8 && seeds.includes(seed); i++) seed = randomSeed(deps.random);
      while (seeds.includes(seed)) seed = (seed + 1) % (MAX_SEED + 1);
      seeds.push(seed);
    }
    return seeds;
  }

  async function describeFour(ctx: EngineContext, words: string, seed?: number): Promise<FourReply> {
    const parse = readNewFace(words, seed);
    if ('kind' in parse) return parse;
    const edits = [editFrom(words, parse)];
    const truncation = parse.truncation ?? defaultTruncation;
    const seeds = seed === undefined ? fourSeeds() : [0, 1, 2, 3].map((i) => (seed + i) % (MAX_SEED + 1));
    // each of the four searched (their reads batched together)
    const searched = await renderer.runInLine(
      () => Promise.all(seeds.map((s) => searchedEdits({ seed: s, edits, truncation }, axes, scorer, read))), { onQueued: ctx.onQueued },
    );
    return createFour(
      ctx,
      seeds.map((s, i) => ({ seed: s, edits: searched[i]!, parentId: null, truncation })),
      { caption: captionWithTypicality(parse), unknown: parse.unknown, notes: withStoredTextNote(words, parse.notes) },
    );
  }

  async function pick(ctx: EngineContext, faceId: string): Promise<EngineReply> {
    const face = await getFace(faceId);
    if (!face) return text('no-face', FACE_GONE);
    const caption = captionForEdits(face.edits);
    const picked = caption ? `picked · ${caption}` : 'picked';
    if (face.ownerId !== ctx.userId) {
      const { seed, edits, truncation } = face;
      return create(ctx, { seed, edits, parentId: face.id, truncation, ...startOf(face) }, { caption: picked, notes: withCopyNote(ctx, [], face) });
    }
    const { png, altText, shortfalls } = await render(ctx, face);
    await ctx.beforeStore?.(face, png);
    await store.setCurrentFaceId(ctx.userId, face.id);
    return { kind: 'face', face, png, altText, caption: picked, unknown: [], notes: withOlderModelNote(shortfalls, face) };
  }

  async function vary(ctx: EngineContext, faceId?: string): Promise<FourReply> {
    const base = await findFace(ctx, faceId);
    if (base === 'gone') return text('no-face', FACE_GONE);
    if (!base) return text('no-face', NO_FACE);
    // each neighbour's step chosen among a few by how well its face keeps the words (src/latent/seed-search.ts)
    const steps = fourSeeds().map((seed) => [...(base.jitter ?? []), searchStep(base, seed, VARY_STEP, axes)]);
    const caption = captionForEdits(base.edits);
    return createFour(
      ctx,
      steps.map((jitter) => ({
        seed: base.seed, edits: base.edits, parentId: base.id, truncation: base.truncation, jitter, ...(base.origin ? { origin: base.origin } : {}),
      })),
      { caption: `four neighbours of seed ${base.seed}${caption ? ` · ${caption}` : ''}`, notes: withCopyNote(ctx, withOlderModelNote([], base), base) },
    );
  }

  async function reset(ctx: EngineContext): Promise<EngineReply> {
    await store.setCurrentFaceId(ctx.userId, null);
    return text('info', 'Forgotten. Your next description starts a new face.');
  }

  async function forget(ctx: EngineContext): Promise<EngineReply> {
    return text('info', forgetText(await store.forgetUser(ctx.userId)));
  }

  /** F's view of the face as drawn (steered like its render): probabilities, and age when F reads it. */
  async function readFace(face: FaceRecord): Promise<{ scores: Float32Array; age?: number; reading: FaceReading }> {
    const { z, steer } = await latentOf(face);
    if (steer) return { scores: steer.reading.logits.map(sigmoid), age: steer.reading.age, reading: steer.reading };
    const scores = await scorer.scoreLatent(z);
    return { scores, reading: { logits: scores.map((p) => Math.log(p / (1 - p))) } };
  }

  async function explain(ctx: EngineContext, faceId?: string): Promise<EngineReply> {
    const face = await findFace(ctx, faceId);
    if (face === 'gone') return text('no-face', FACE_GONE);
    if (!face) return text('no-face', NO_FACE);
    // G+F passes share G with the renders: the queue's capacity, position reports and timeout apply
    const { scores, age, reading } = await renderer.runInLine(() => readFace(face), { onQueued: ctx.onQueued });
    const older = olderModelNote(face, model);
    // the goals of earlier edits the last one held, met or not on the face as drawn (./held-goals.ts)
    const held = heldGoalsExplain(heldGoalStatus(face.edits.at(-1), reading, axes));
    return text('info', `${explainScores(scores, age)}${held ? `\n${held}` : ''}${older ? `\n(Note: ${older}.)` : ''}`);
  }

  async function currentFace(ctx: EngineContext): Promise<CurrentFace | undefined> {
    const face = await findFace(ctx);
    return face && face !== 'gone' ? { face, caption: captionForEdits(face.edits) } : undefined;
  }

  // the steering of faces these draw waits in the render queue's line too (capacity and timeout bound it)
  const latentInLine = (face: Drawable) => renderer.runInLine(() => latentOf(face));

  // faces made from other faces (mix, analogy): ./mix.ts
  const { mix, analogy } = createMix({
    axes, findFace, getFace, latentOf: latentInLine,
    create: (ctx, base, fields, caption, notes) => create(ctx, fields, { caption, notes: withCopyNote(ctx, withOlderModelNote(notes, base), base) }),
  });

  // an animation of the face along an edit or into another face (not stored): ./morph.ts
  const morph = createMorph({
    renderer, scorer, axes, model, software, findFace, getFace,
    latentOf: latentInLine,
  });

  // the studio's sliders, locks, seed and text box (npm run studio, src/studio): ./studio.ts
  const studio = createStudio({
    store, renderer, axes, model, software, now, truncation: defaultTruncation, newSeed,
    latentOf: latentInLine, findFace, refine, reroll, undo,
    olderModelNote: (face) => olderModelNote(face, model), serial: oneAtATime,
  });

  // faces from photos: ./photo.ts
  const photo = createPhoto({
    photo: deps.photo, renderer, now, model, newSeed: () => newSeed(),
    create: (ctx, face, words, shown) => createFace(ctx, face, words, shown),
  });

  // every request runs after the user's earlier ones (oneAtATime) and knows who acts (guarded: photo faces)
  const serial = <T>(ctx: EngineContext, fn: () => Promise<T>) => oneAtATime(ctx.userId, () => guarded(ctx, fn));

  return {
    describe: (ctx, words, seed) => serial(ctx, () => describe(ctx, words, seed)),
    refine: (ctx, words, faceId) => serial(ctx, () => refine(ctx, words, faceId)),
    describeFour: (ctx, words, seed) => serial(ctx, () => describeFour(ctx, words, seed)),
    pick: (ctx, faceId) => serial(ctx, () => pick(ctx, faceId)),
    vary: (ctx, faceId) => serial(ctx, () => vary(ctx, faceId)),
    reroll: (ctx, faceId) => serial(ctx, () => reroll(ctx, faceId)),
    undo: (ctx, faceId) => serial(ctx, () => undo(ctx, faceId)),
    reset: (ctx) => serial(ctx, () => reset(ctx)),
    forget: (ctx) => serial(ctx, () => forget(ctx)),
    // after the user's earlier requests: explain asked while an undo still draws reads the face it brings back
    explain: (ctx, faceId) => serial(ctx, () => explain(ctx, faceId)),
    currentFace,
    linkMessage: (messageId, faceId) => store.linkMessage(messageId, faceId),
    faceForMessage: (messageId) => store.getFaceIdByMessage(messageId),
    faceOwner: async (faceId) => (await store.getFace(faceId))?.ownerId,
    axesHelp: () => axesHelpText(axes),
    morph: (ctx, words, options) => serial(ctx, () => morph(ctx, words, options)),
    mix: (ctx, options) => serial(ctx, () => mix(ctx, options)),
    analogy: (ctx, options) => serial(ctx, () => analogy(ctx, options)),
    // serialised per user inside (previews, which only read, are not)
    studio: (ctx, request) => guarded(ctx, () => studio(ctx, request)),
    photo: (ctx, upload) => serial(ctx, () => photo(ctx, upload)),
    photosAvailable: deps.photo?.inverter !== undefined,
  };
}
