import { MessageFlags } from 'discord.js';
import { axesMessages } from '../format/axes.js';
import { answerPrivately } from '../interaction-answer.js';
import type { FaceSubcommand } from './types.js';
import { errFields } from '../log-error.js';

/** `/face axes`: the controls, grouped, only for you. Needs no render, so it answers at once. */
export const axes: FaceSubcommand = {
  name: 'axes',
  description: 'List the face controls you can use (only you see it)',
  execute: async (interaction, deps) => {
    const ctx = { userId: interaction.user.id, command: 'axes', guildId: interaction.guildId };
    try {
      const [first = [], ...rest] = axesMessages(deps.engine.axesHelp());
      await interaction.reply({ embeds: first, flags: MessageFlags.Ephemeral });
      for (const embeds of rest) await interaction.followUp({ embeds, flags: MessageFlags.Ephemeral });
      deps.log.info({ ...ctx, messages: rest.length + 1 }, 'axes shown');
    } catch (err) {
      deps.log.error({ ...ctx, err: errFields(err) }, 'could not show the axes');
      await answerPrivately(interaction, '⚠️ could not list the controls right now; it has been logged', deps.log, ctx, false);
    }
  },
};
