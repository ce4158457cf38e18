import sharp from 'sharp';
import { captionFor, parseDescription } from '../grammar/index.js';
import type { ParseResult } from '../grammar/types.js';
import type { AxisSet } from '../latent/axes.js';
import { interpolateLatent } from '../latent/origin.js';
import { isFromPhoto, type Drawable, type FaceRecord } from '../face/record.js';
import { xmpPacket, type FaceLabel } from '../render/png-label.js';
import type { FaceRenderer, FaceScorer } from '../render/types.js';
import type { EngineContext, MorphOptions, MorphReply } from './types.js';
import { captionForEdits, exampleWords } from './wording.js';

/*
 * Morphs: the current face, animated along an edit ("older", "smile", "from young to old") or into another
 * face. The two ends are drawn as the engine draws faces (closed loop when F can read them, like every
 * face); the frames between are open-loop: the latent moves on a straight line from one end to the other
 * (its length interpolated too, so a morph between two seeds stays on the shell where G draws faces).
 * The loop plays there and back (ping-pong) with cosine easing, so it loops without a jump and lingers at
 * the ends; frame i and frame N - i are the same picture, so only N / 2 + 1 distinct latents are
 * rendered, all in one call to the render queue (one generator batch). Frames are composed with sharp
 * into one looping animated WebP carrying the same XMP label as the PNGs. Morphs are not stored as faces:
 * the current face stays current.
 */

/** Frames in the loop (ping-pong: 0 → 1 → 0). */
export const MORPH_FRAMES = 16;
/** Discord's comfortable attachment size for an animation; over it, lower quality, then fewer frames. */
export const MORPH_MAX_BYTES = 1024 * 1024;
/** ms each frame shows; the two ends hold longer. */
export const FRAME_MS = 90;
export const END_HOLD_MS = 450;
const QUALITIES = [75, 60, 45] as const;
/** libwebp effort 0–6: 2 encodes 16 frames at 256 px about a third faster than the default 4, under 10 % larger (bench/morph.ts). */
const WEBP_EFFORT = 2;

/** Where each frame of an N-frame ping-pong loop stands between the ends (0 = start, 1 = end). */
export function morphSchedule(frames: number): number[] {
  return Array.from({ length: frames }, (_, i) => (1 - Math.cos((2 * Math.PI * i) / frames)) / 2);
}

/** The frame delays: END_HOLD_MS on the two ends, FRAME_MS elsewhere. */
export function morphDelays(frames: number): number[] {
  return Array.from({ length: frames }, (_, i) => (i === 0 || 2 * i === frames ? END_HOLD_MS : FRAME_MS));
}

/** "from young to old" → both ends; anything else is where the face goes. */
export function splitMorphWords(words: string): { from?: string; to: string } {
  const m = /^\s*from\s+(.+?)\s+(?:to|into)\s+(.+?)\s*$/i.exec(words);
  return m ? { from: m[1]!, to: m[2]! } : { to: words.replace(/^\s*(?:to|into)\s+/i, '').trim() };
}

export interface AnimationOptions {
  frames: number;
  delays: number[];
  xmp: string;
  maxBytes?: number;
}

/**
 * PNG frames (all the same size) → a looping animated WebP, at most maxBytes: lower quality first, then
 * every other frame (with the delays of the dropped ones added to the kept ones).
 */
export async function encodeAnimation(pngs: readonly Buffer[], options: AnimationOptions): Promise<{ webp: Buffer; frames: number; quality: number }> {
  // a ping-pong loop repeats its frames: each distinct PNG is decoded once
  const distinct = [...new Set(pngs)];
  const decoded = await Promise.all(distinct.map((p) => sharp(p).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
  const { width, height } = decoded[0]!.info;
  let frames = pngs.map((p) => decoded[distinct.indexOf(p)]!.data);
  let delays = options.delays;
  const maxBytes = options.maxBytes ?? MORPH_MAX_BYTES;
  for (;;) {
    const stack = Buffer.concat(frames);
    for (const quality of QUALITIES) {
      const webp = await sharp(stack, { raw: { width, height: height * frames.length, channels: 3, pageHeight: height } })
        .webp({ quality, loop: 0, delay: delays, effort: WEBP_EFFORT })
        .withXmp(options.xmp)
        .toBuffer();
      if (webp.length <= maxBytes || (frames.length <= 4 && quality === QUALITIES.at(-1))) return { webp, frames: frames.length, quality };
    }
    delays = delays.filter((_, i) => i % 2 === 0).map((d, i) => d + (delays[2 * i + 1] ?? 0));
    frames = frames.filter((_, i) => i % 2 === 0);
  }
}

export interface MorphDeps {
  renderer: FaceRenderer;
  scorer: FaceScorer;
  axes: AxisSet;
  model: string;
  software: string;
  /** The engine's latent of a face as drawn (faceLatentFor). */
  latentOf: (face: Drawable) => Promise<{ z: Float32Array }>;
  /** The given face, else the user's current one (the engine's findFace). */
  findFace: (ctx: EngineContext, faceId?: string) => Promise<FaceRecord | 'gone' | undefined>;
  /** The face with this id, if stored (for "morph to <face id>"). */
  getFace: (id: string) => Promise<FaceRecord | undefined>;
}

const FACE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{11}$/;

function understood(parse: ParseResult): boolean {
  return Object.keys(parse.weights).length > 0 || parse.locks.length > 0 || parse.truncation !== undefined;
}

function quoted(words: readonly string[]): string {
  return words.map((w) => `"${w}"`).join(', ');
}

export function unknownAxisText(words: string, unknown: readonly string[]): string {
  const what = unknown.length > 0 ? quoted(unknown) : `"${words.trim()}"`;
  return `There is no morph axis ${what}: morph along a control such as ${exampleWords(4).map((w) => `"${w}"`).join(', ')}, `
    + '"from young to old", or to a face id. `/face axes` (or /axes in the chat) lists every control.';
}

function textReply(reason: Extract<MorphReply, { kind: 'text' }>['reason'], text: string): MorphReply {
  return { kind: 'text', text, reason };
}

/** The morph action, given the engine's pieces; the engine runs it one request per user at a time. */
export function createMorph(deps: MorphDeps) {
  const { renderer, model, software } = deps;

  /** The edited face: the base plus what the words ask, as a refine would make it (not stored). */
  function edited(base: FaceRecord, words: string, parse: ParseResult): FaceRecord {
    const edit = { text: words.trim(), weights: parse.weights, mode: parse.mode, locks: parse.locks, ...(parse.age ? { age: parse.age } : {}) };
    return { ...base, edits: [...base.edits, edit], truncation: parse.truncation ?? base.truncation };
  }

  return async function morph(ctx: EngineContext, words: string, options: MorphOptions = {}): Promise<MorphReply> {
    const base = await deps.findFace(ctx, options.faceId);
    if (base === 'gone') return textReply('no-face', 'I cannot find that face any more: describe a new one.');
    if (!base) return textReply('no-face', 'There is no face to morph yet: describe one first.');
    if (words.trim() === '' && !options.toFaceId) {
      return textReply('nothing-understood', 'Say what to morph along, e.g. "older", "smile" or "from young to old" (`/face axes` lists every control).');
    }

    let start: Drawable = base;
    let end: Drawable;
    let caption: string;
    const unknown: string[] = [];
    const notes: string[] = [];
    const { from, to } = splitMorphWords(words);
    const toId = options.toFaceId ?? (from === undefined && FACE_ID.test(to) ? to : undefined);
    const other = toId !== undefined ? await deps.getFace(toId) : undefined;
    if (options.toFaceId !== undefined && !other) return textReply('no-face', `I cannot find the face ${options.toFaceId}.`);
    if (other) {
      end = other;
      caption = `into face ${other.id}${other.edits.length ? ` (${captionForEdits(other.edits)})` : ''}`;
    } else {
      const toParse = parseDescription(to);
      const fromParse = from === undefined ? undefined : parseDescription(from);
      const missing = [...(fromParse && !understood(fromParse) ? fromParse.unknown.length ? fromParse.unknown : [from!] : []),
        ...(!understood(toParse) ? toParse.unknown.length ? toParse.unknown : [to] : [])];
      if (missing.length > 0) return textReply('nothing-understood', unknownAxisText(words, missing));
      unknown.push(...(fromParse?.unknown ?? []), ...toParse.unknown);
      notes.push(...(fromParse?.notes ?? []), ...toParse.notes);
      if (fromParse) start = edited(base, from!, fromParse);
      end = edited(base, to, toParse);
      caption = fromParse ? `from ${captionFor(fromParse)} to ${captionFor(toParse)}` : captionFor(toParse);
    }

    const [a, b] = await Promise.all([deps.latentOf(start), deps.latentOf(end)]);
    let distance = 0;
    for (let i = 0; i < a.z.length; i++) distance += (a.z[i]! - b.z[i]!) ** 2;
    if (Math.sqrt(distance) < 1e-3) {
      return textReply('nothing-changed', `Nothing to morph: the face already is what "${words.trim()}" asks for, or as far as this model goes that way. Try "more …" or "less …".`);
    }

    const frames = options.frames ?? MORPH_FRAMES;
    const schedule = morphSchedule(frames);
    const distinct = Math.floor(frames / 2) + 1; // frame i and frame N - i are the same
    const latents = schedule.slice(0, distinct).map((t) => interpolateLatent(a.z, b.z, t));
    // all at once: the queue runs requests that arrive together as one generator batch
    const pngs = await Promise.all(latents.map((z) => renderer.renderPng(z, { size: options.size, onQueued: ctx.onQueued })));
    const ordered = schedule.map((_, i) => pngs[Math.min(i, frames - i)]!);

    const label: FaceLabel = {
      software,
      seed: base.seed,
      truncation: base.truncation,
      edits: [...base.edits.map((e) => e.text), `morph: ${words.trim() || `to ${toId}`}`],
      caption: `animation, ${caption}`,
      model,
      fromPhoto: isFromPhoto(base) || (other !== undefined && isFromPhoto(other)),
    };
    const { webp, frames: kept } = await encodeAnimation(ordered, { frames, delays: morphDelays(frames), xmp: xmpPacket(label) });
    const altText = label.fromPhoto
      ? `AI-edited animation of a face redrawn from an uploaded photo (tellaface), morphing: ${caption}`
      : `AI-generated animation of a face of a person who does not exist (tellaface), morphing: ${caption}`;
    notes.push('a morph is not saved as a face: your current face stays as it was');
    notes.push('the frames between the two ends are drawn along a straight line in the latent space (not checked by the classifier)');
    return { kind: 'morph', face: base, webp, altText, caption, frames: kept, unknown, notes };
  };
}
