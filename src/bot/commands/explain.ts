import { runInteractionAction } from '../interaction-flow.js';
import type { FaceSubcommand } from './types.js';

/** `/face explain`: what the classifier sees in your current face (its top attributes). */
export const explain: FaceSubcommand = {
  name: 'explain',
  description: 'What the classifier sees in your current face',
  execute: (interaction, deps) =>
    runInteractionAction(interaction, deps, {
      command: 'explain',
      ephemeral: true,
      rateLimited: true,
      call: (ctx) => deps.engine.explain(ctx),
    }),
};
