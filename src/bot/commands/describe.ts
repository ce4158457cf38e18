import { runInteractionAction } from '../interaction-flow.js';
import type { FaceSubcommand } from './types.js';

export const MAX_DESCRIPTION = 1000;

/** `/face describe text:<…> [seed:<…>]`: a new face from words. */
export const describe: FaceSubcommand = {
  name: 'describe',
  description: 'Draw a new face from a description, e.g. "older man, smiling, more beard"',
  options: (sub) =>
    sub
      .addStringOption((o) =>
        o
          .setName('text')
          .setDescription('What the face looks like')
          .setRequired(true)
          .setMaxLength(MAX_DESCRIPTION),
      )
      .addIntegerOption((o) =>
        o.setName('seed').setDescription('Start from this seed instead of a random one').setMinValue(0).setMaxValue(0xffffffff),
      ),
  execute: (interaction, deps) => {
    const text = interaction.options.getString('text', true);
    const seed = interaction.options.getInteger('seed') ?? undefined;
    return runInteractionAction(interaction, deps, {
      command: 'describe',
      ephemeral: false,
      rateLimited: true,
      call: (ctx) => deps.engine.describe(ctx, text, seed),
    });
  },
};
