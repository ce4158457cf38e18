import { attachmentBytes } from '../photo-upload.js';
import { runInteractionAction } from '../interaction-flow.js';
import type { FaceSubcommand } from './types.js';

/**
 * `/face photo image:<attachment>`: a face from your photo (one face, PNG/JPEG/WebP). The reply shows the
 * photo as the encoder read it beside the face redrawn from it, publicly like any face; refusals (no face,
 * several, too small, too large, not an image) are private. The photo is not kept (docs/photo.md).
 */
export const photo: FaceSubcommand = {
  name: 'photo',
  description: 'A face from your photo (one face; the photo is not kept), then refine it like any face',
  options: (sub) =>
    sub.addAttachmentOption((o) => o.setName('image').setDescription('A photo with one face: PNG, JPEG or WebP').setRequired(true)),
  execute: (interaction, deps) => {
    const image = interaction.options.getAttachment('image', true);
    return runInteractionAction(interaction, deps, {
      command: 'photo',
      ephemeral: false,
      rateLimited: true,
      call: async (ctx) => {
        if (!deps.engine.photo) return { kind: 'text', reason: 'error', text: 'Faces from photos are not available on this bot.' };
        const bytes = await attachmentBytes(image, deps.photoMaxBytes, deps.fetchBytes);
        if ('refusal' in bytes) return { kind: 'text', reason: 'error', text: bytes.refusal };
        return deps.engine.photo(ctx, { bytes, name: image.name });
      },
    });
  },
};
