import { runInteractionAction } from '../interaction-flow.js';
import { MAX_DESCRIPTION } from './describe.js';
import type { FaceSubcommand } from './types.js';

/** `/face refine text:<…>`: change your latest face ("make him younger"); replying to any face works too. */
export const refine: FaceSubcommand = {
  name: 'refine',
  description: 'Change your latest face, e.g. "a bit younger, no glasses" (or reply to any face message)',
  options: (sub) =>
    sub.addStringOption((o) =>
      o.setName('text').setDescription('What to change').setRequired(true).setMaxLength(MAX_DESCRIPTION),
    ),
  execute: (interaction, deps) => {
    const text = interaction.options.getString('text', true);
    return runInteractionAction(interaction, deps, {
      command: 'refine',
      ephemeral: false,
      rateLimited: true,
      call: (ctx) => deps.engine.refine(ctx, text),
    });
  },
};
