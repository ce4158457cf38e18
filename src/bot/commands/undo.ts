import { runInteractionAction } from '../interaction-flow.js';
import type { FaceSubcommand } from './types.js';

/** `/face undo`: back to the face before your current one. */
export const undo: FaceSubcommand = {
  name: 'undo',
  description: 'Go back to the face before your last change',
  execute: (interaction, deps) =>
    runInteractionAction(interaction, deps, {
      command: 'undo',
      ephemeral: false,
      rateLimited: true,
      call: (ctx) => deps.engine.undo(ctx),
    }),
};
