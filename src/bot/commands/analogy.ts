import { answerPrivately } from '../interaction-answer.js';
import { MAX_FACE_REF, runWithFaceRefs } from '../face-ref-flow.js';
import type { FaceSubcommand } from './types.js';

export const ANALOGY_PERCENT_MIN = 1;
export const ANALOGY_PERCENT_MAX = 200;
export const ANALOGY_PERCENT_DEFAULT = 100;

/**
 * `/face analogy from:<face> to:<face> [percent:<1–200>]`: your current face, changed the way `to` differs
 * from `from` (`percent` of that difference, default 100). Faces by id or message link; posted publicly as
 * a face message, like refine; it becomes your face.
 */
export const analogy: FaceSubcommand = {
  name: 'analogy',
  description: 'Change your current face the way one face differs from another (ids or message links)',
  options: (sub) =>
    sub
      .addStringOption((o) =>
        o.setName('from').setDescription('The face the difference starts from: its id, or a link to its message').setRequired(true).setMaxLength(MAX_FACE_REF),
      )
      .addStringOption((o) =>
        o.setName('to').setDescription('The face the difference goes to: its id, or a link to its message').setRequired(true).setMaxLength(MAX_FACE_REF),
      )
      .addIntegerOption((o) =>
        o
          .setName('percent')
          .setDescription(`How much of the difference, ${ANALOGY_PERCENT_MIN}–${ANALOGY_PERCENT_MAX}% (default ${ANALOGY_PERCENT_DEFAULT})`)
          .setMinValue(ANALOGY_PERCENT_MIN)
          .setMaxValue(ANALOGY_PERCENT_MAX),
      ),
  execute: async (interaction, deps) => {
    const { engine } = deps;
    if (!engine.analogy) {
      const ctx = { userId: interaction.user.id, command: 'analogy', guildId: interaction.guildId, channelId: interaction.channelId };
      return answerPrivately(interaction, 'Face analogies are not available on this bot.', deps.log, ctx, false);
    }
    const percent = interaction.options.getInteger('percent') ?? ANALOGY_PERCENT_DEFAULT;
    return runWithFaceRefs(interaction, deps, 'analogy', ['from', 'to'], (ctx, [fromFaceId, toFaceId]) =>
      engine.analogy!(ctx, { fromFaceId: fromFaceId!, toFaceId: toFaceId!, strength: percent / 100 }),
    );
  },
};
