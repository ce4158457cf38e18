import { runInteractionAction } from '../interaction-flow.js';
import type { FaceSubcommand } from './types.js';

export const MAX_DESCRIPTION = 1000;

/**
 * `/face describe text:<…> [seed:<…>] [four:<…>]`: a new face from words, or four to pick from (a 2×2 grid
 * with Pick / Vary buttons) when `four` is true, or not given and GRID_DEFAULT=on.
 */
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
      )
      .addBooleanOption((o) => o.setName('four').setDescription('Draw four faces to pick from (a 2×2 grid) instead of one')),
  execute: (interaction, deps) => {
    const text = interaction.options.getString('text', true);
    const seed = interaction.options.getInteger('seed') ?? undefined;
    const { engine } = deps;
    const four = (interaction.options.getBoolean('four') ?? deps.gridDefault ?? false) && engine.describeFour !== undefined;
    return runInteractionAction(interaction, deps, {
      command: four ? 'describe:four' : 'describe',
      ephemeral: false,
      rateLimited: true,
      call: (ctx) => (four ? engine.describeFour!(ctx, text, seed) : engine.describe(ctx, text, seed)),
    });
  },
};
