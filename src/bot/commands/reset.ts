import { runInteractionAction } from '../interaction-flow.js';
import type { FaceSubcommand } from './types.js';

/** `/face reset`: forget your current face (answered only to you). */
export const reset: FaceSubcommand = {
  name: 'reset',
  description: 'Forget your current face and start over',
  execute: (interaction, deps) =>
    runInteractionAction(interaction, deps, {
      command: 'reset',
      ephemeral: true,
      rateLimited: false,
      call: (ctx) => deps.engine.reset(ctx),
    }),
};
