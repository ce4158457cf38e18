import { answerPrivately } from '../interaction-answer.js';
import { MAX_FACE_REF, runWithFaceRefs } from '../face-ref-flow.js';
import type { FaceSubcommand } from './types.js';

export const MIX_PERCENT_MIN = 5;
export const MIX_PERCENT_MAX = 95;
export const MIX_PERCENT_DEFAULT = 50;

/**
 * `/face mix face:<id or message link> [percent:<5–95>]`: a new face between your current face and that
 * one, `percent` of it (default 50). Posted publicly as a face message, like refine; it becomes your face.
 */
export const mix: FaceSubcommand = {
  name: 'mix',
  description: 'Mix your current face with another face (its id or a link to its message)',
  options: (sub) =>
    sub
      .addStringOption((o) =>
        o.setName('face').setDescription('The face to mix in: its id, or a link to its message').setRequired(true).setMaxLength(MAX_FACE_REF),
      )
      .addIntegerOption((o) =>
        o
          .setName('percent')
          .setDescription(`How much of that face, ${MIX_PERCENT_MIN}–${MIX_PERCENT_MAX}% (default ${MIX_PERCENT_DEFAULT})`)
          .setMinValue(MIX_PERCENT_MIN)
          .setMaxValue(MIX_PERCENT_MAX),
      ),
  execute: async (interaction, deps) => {
    const { engine } = deps;
    if (!engine.mix) {
      const ctx = { userId: interaction.user.id, command: 'mix', guildId: interaction.guildId, channelId: interaction.channelId };
      return answerPrivately(interaction, 'Mixing faces is not available on this bot.', deps.log, ctx, false);
    }
    const percent = interaction.options.getInteger('percent') ?? MIX_PERCENT_DEFAULT;
    return runWithFaceRefs(interaction, deps, 'mix', ['face'], (ctx, [otherFaceId]) =>
      engine.mix!(ctx, { otherFaceId: otherFaceId!, weight: percent / 100 }),
    );
  },
};
