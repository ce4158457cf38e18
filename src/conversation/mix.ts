import { lockTexts } from '../grammar/index.js';
import type { AxisSet } from '../latent/axes.js';
import { isFromPhoto, type Drawable, type Edit, type FaceRecord, type LatentOrigin } from '../face/record.js';
import {
  analogyLatent, ANALOGY_STRENGTH_MAX, DEFAULT_MIX_WEIGHT, encodeLatent, isValidAnalogyStrength, isValidMixWeight, MIX_WEIGHT_MAX,
  MIX_WEIGHT_MIN, mixLatents,
} from '../latent/origin.js';
import type { AnalogyOptions, EngineContext, EngineReply, MixOptions } from './types.js';

/*
 * Faces made from other faces: a mix ("mix my face with that one", "70% of that one") and an analogy
 * ("this face, but the way that one differs from that one"). Latent arithmetic on the latents the faces
 * are drawn with (src/latent/origin.ts), then saved like any face: the new record keeps the latent it
 * starts from (FaceRecord.origin) and a first edit that says what was combined and carries the base face's
 * locks, so it can be refined, rerolled, varied and undone (undo goes back to the base face).
 */

type TextReply = Extract<EngineReply, { kind: 'text' }>;

export interface MixDeps {
  axes: AxisSet;
  /** The given face, else the user's current one (the engine's findFace). */
  findFace: (ctx: EngineContext, faceId?: string) => Promise<FaceRecord | 'gone' | undefined>;
  getFace: (id: string) => Promise<FaceRecord | undefined>;
  /** The latent a face is drawn with (the engine's faceLatentFor). */
  latentOf: (face: Drawable) => Promise<{ z: Float32Array }>;
  /** Render, save and make current (the engine's create), with the base face's copy and model notes added. */
  create: (ctx: EngineContext, base: FaceRecord, fields: Drawable & Pick<FaceRecord, 'parentId'>, caption: string, notes: string[]) => Promise<EngineReply>;
}

function text(reason: TextReply['reason'], message: string): TextReply {
  return { kind: 'text', text: message, reason };
}

/** The locks a face holds (said in any of its edits): what a mix or an analogy starting from it keeps. */
export function locksOf(face: Pick<FaceRecord, 'edits'>): Edit['locks'] {
  return [...new Set(face.edits.flatMap((e) => e.locks))];
}

function percent(w: number): number {
  return Math.round(100 * w);
}

export function createMix(deps: MixDeps) {
  const { axes } = deps;

  /** The base face and the others named, or the text reply that says which is missing. */
  async function findFaces(ctx: EngineContext, faceId: string | undefined, others: string[]): Promise<{ base: FaceRecord; others: FaceRecord[] } | TextReply> {
    const base = await deps.findFace(ctx, faceId);
    if (base === 'gone') return text('no-face', `I cannot find the face ${faceId}.`);
    if (!base) return text('no-face', 'You have no face to start from yet: describe one first (or pick one), then mix it.');
    const found: FaceRecord[] = [];
    for (const id of others) {
      const face = await deps.getFace(id);
      if (!face) return text('no-face', `I cannot find the face ${id}: it may have been forgotten by its owner.`);
      found.push(face);
    }
    return { base, others: found };
  }

  function createCombined(
    ctx: EngineContext, base: FaceRecord, z: Float32Array, origin: Omit<LatentOrigin, 'z'>, what: string, from: FaceRecord[] = [],
  ): Promise<EngineReply> {
    const locks = locksOf(base);
    const edit: Edit = { text: what, weights: {}, mode: {}, locks, made: origin.kind };
    const notes = locks.length ? [`this face's locks still hold: ${lockTexts(locks).join(', ')}`] : [];
    const fields = { seed: base.seed, edits: [edit], parentId: base.id, truncation: 1, origin: { ...origin, z: encodeLatent(z), ...([base, ...from].some(isFromPhoto) ? { fromPhoto: true as const } : {}) } };
    return deps.create(ctx, base, fields, what, notes);
  }

  async function mix(ctx: EngineContext, options: MixOptions): Promise<EngineReply> {
    const w = options.weight ?? DEFAULT_MIX_WEIGHT;
    if (!isValidMixWeight(w)) {
      const asked = Number.isFinite(w) ? `${percent(w)}%` : 'no number';
      return text('error', `A mix takes from ${percent(MIX_WEIGHT_MIN)}% to ${percent(MIX_WEIGHT_MAX)}% of the other face (you asked for ${asked}).`);
    }
    const found = await findFaces(ctx, options.faceId, [options.otherFaceId]);
    if ('kind' in found) return found;
    const { base } = found;
    const other = found.others[0]!;
    if (other.id === base.id) return text('nothing-changed', 'That is the same face: mix it with another one.');
    const [a, b] = await Promise.all([deps.latentOf(base), deps.latentOf(other)]);
    const z = mixLatents(a.z, b.z, w, axes, locksOf(base));
    const parts = [{ faceId: base.id, weight: 1 - w }, { faceId: other.id, weight: w }];
    return createCombined(ctx, base, z, { kind: 'mix', parts }, `mix: ${percent(1 - w)}% this face, ${percent(w)}% face ${other.id}`, [other]);
  }

  async function analogy(ctx: EngineContext, options: AnalogyOptions): Promise<EngineReply> {
    const s = options.strength ?? 1;
    if (!isValidAnalogyStrength(s)) {
      return text('error', `An analogy's strength must be more than 0% and at most ${percent(ANALOGY_STRENGTH_MAX)}% of the difference (100% = all of it).`);
    }
    if (options.fromFaceId === options.toFaceId) {
      return text('nothing-changed', 'The two faces are the same, so there is no difference to apply: name two different faces.');
    }
    const found = await findFaces(ctx, options.faceId, [options.fromFaceId, options.toFaceId]);
    if ('kind' in found) return found;
    const { base } = found;
    const [from, to] = found.others as [FaceRecord, FaceRecord];
    const [c, a, b] = await Promise.all([base, from, to].map((f) => deps.latentOf(f)));
    const z = analogyLatent(c!.z, a!.z, b!.z, s, axes, locksOf(base));
    const parts = [{ faceId: base.id, weight: 1 }, { faceId: to.id, weight: s }, { faceId: from.id, weight: -s }];
    const how = s === 1 ? '' : ` (${percent(s)}% of the difference)`;
    return createCombined(ctx, base, z, { kind: 'analogy', parts }, `analogy: this face, changed the way face ${to.id} differs from face ${from.id}${how}`, [from, to]);
  }

  return { mix, analogy };
}
