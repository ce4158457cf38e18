import { newFaceId } from '../store/ids.js';
import type { Drawable, Edit, FaceRecord } from '../face/record.js';
import { encodeLatent } from '../latent/origin.js';
import { alignPhoto } from '../photo/align.js';
import { decodePhoto } from '../photo/decode.js';
import type { PhotoInverter } from '../photo/inverter.js';
import { DEFAULT_PHOTO_LIMITS, type PhotoLimits } from '../photo/limits.js';
import { PhotoRefusal } from '../photo/refusal.js';
import { sideBySide } from '../photo/side-by-side.js';
import type { FaceRenderer } from '../render/types.js';
import type { EngineContext, EngineReply, PhotoUpload } from './types.js';

/** How the engine offers photos: the inverter, or why there is none (models/encoder.onnx missing). */
export interface PhotoDeps {
  inverter?: PhotoInverter;
  /** Said to a user who sends a photo when there is no inverter. */
  problem?: string;
  limits?: PhotoLimits;
}

export const PHOTO_UNAVAILABLE = 'Faces from photos are not available here: this installation has no photo encoder (models/encoder.onnx).';
export const PHOTO_EDIT_TEXT = 'from a photo';
const KEPT_NOTE = 'your photo was not kept: only the latent it was turned into (and your edits from here) are stored; /face forget deletes them';

type TextReply = Extract<EngineReply, { kind: 'text' }>;

/**
 * A face from a photo: decoded and checked (src/photo/decode.ts), its one face found and aligned like the
 * training crops (src/photo/align.ts), inverted to a latent (the encoder, then the recipe's refinement), and
 * stored like a mix: an origin of kind 'photo' holding the latent, a first edit saying where it came from,
 * ψ 1 (the latent is kept as it is). The photo's pixels are never stored, only shown back beside the result.
 */
export function createPhoto(deps: {
  photo?: PhotoDeps;
  renderer: FaceRenderer;
  now: () => number;
  model: string;
  newSeed: () => number;
  create: (
    ctx: EngineContext, face: FaceRecord, words: { caption: string; notes: string[] }, shown: (png: Buffer) => Promise<Buffer>,
  ) => Promise<EngineReply>;
}): (ctx: EngineContext, upload: PhotoUpload) => Promise<EngineReply> {
  const limits = deps.photo?.limits ?? DEFAULT_PHOTO_LIMITS;
  const refused = (message: string): TextReply => ({ kind: 'text', reason: 'error', text: message });

  return async (ctx, upload) => {
    const inverter = deps.photo?.inverter;
    if (!inverter) return refused(deps.photo?.problem ?? PHOTO_UNAVAILABLE);
    let aligned: { pixels: Float32Array; rgb: Buffer };
    try {
      aligned = await alignPhoto(await decodePhoto(upload.bytes, limits), { limits, size: inverter.inputSize });
    } catch (err) {
      if (err instanceof PhotoRefusal) return refused(err.message);
      throw err;
    }
    const inversion = await deps.renderer.runInLine(() => inverter.invert(aligned.pixels), { onQueued: ctx.onQueued });
    const edit: Edit = { text: PHOTO_EDIT_TEXT, weights: {}, mode: {}, locks: [], made: 'photo' };
    const fields: Drawable = {
      seed: deps.newSeed(), edits: [edit], truncation: 1, origin: { kind: 'photo', parts: [], z: encodeLatent(inversion.z) },
    };
    const face: FaceRecord = { id: newFaceId(), ownerId: ctx.userId, createdAt: deps.now(), model: deps.model, parentId: null, ...fields };
    const notes = [
      'left: your photo as the encoder read it (found, aligned and cropped); right: the face redrawn from it. Refine it like any face ("make me older")',
      KEPT_NOTE,
    ];
    return deps.create(ctx, face, { caption: 'a face from your photo', notes }, (png) => sideBySide(aligned.rgb, inverter.inputSize, png));
  };
}
