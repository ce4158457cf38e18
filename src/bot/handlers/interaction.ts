import type { ChatInputCommandInteraction, Interaction } from 'discord.js';
import { FACE_COMMAND, findSubcommand } from '../commands/index.js';
import type { BotDeps } from '../deps.js';
import { answerPrivately } from '../interaction-answer.js';
import { handleButton } from './button.js';
import { errFields } from '../log-error.js';

/** Routes an interaction: `/face <subcommand>` or a face button; anything else is ignored. */
export async function handleInteraction(interaction: Interaction, deps: BotDeps): Promise<void> {
  if (interaction.isChatInputCommand() && interaction.commandName === FACE_COMMAND) {
    await handleFaceCommand(interaction, deps);
  } else if (interaction.isButton()) {
    await handleButton(interaction, deps);
  }
}

async function handleFaceCommand(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const name = interaction.options.getSubcommand(false);
  const ctx = { userId: interaction.user.id, command: `face ${name ?? '?'}`, guildId: interaction.guildId };
  const sub = findSubcommand(name);
  if (!sub) {
    deps.log.warn(ctx, 'unknown /face subcommand (commands not redeployed?)');
    await answerPrivately(
      interaction,
      'I do not know that command yet; the bot owner may need to run `npm run deploy-commands`',
      deps.log,
      ctx,
      false,
    );
    return;
  }
  try {
    await sub.execute(interaction, deps);
  } catch (err) {
    // The flows answer their own failures; this only catches bugs, and still answers the user.
    deps.log.error({ ...ctx, err: errFields(err) }, 'unexpected error in a /face command');
    await answerPrivately(interaction, '⚠️ something went wrong; it has been logged', deps.log, ctx, interaction.deferred);
  }
}
