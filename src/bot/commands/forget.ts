import { runInteractionAction } from '../interaction-flow.js';
import type { FaceSubcommand } from './types.js';

/** `/face forget`: delete everything stored about you; the private answer says what was deleted. */
export const forget: FaceSubcommand = {
  name: 'forget',
  description: 'Delete everything stored about you: your faces and the links to them',
  execute: (interaction, deps) =>
    runInteractionAction(interaction, deps, {
      command: 'forget',
      ephemeral: true,
      rateLimited: false,
      call: (ctx) => deps.engine.forget(ctx),
    }),
};
