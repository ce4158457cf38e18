import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { Logger } from 'pino';
import type { ActionContext } from './deps.js';
import { NO_PINGS } from './format/face-message.js';
import { CONTENT_LIMIT, clamp } from './format/text.js';
import { errFields } from './log-error.js';

/**
 * Acknowledges within Discord's 3-second deadline. Returns false when Discord no longer knows the
 * interaction (expired or already answered elsewhere): then nothing more can be sent for it.
 */
export async function deferInteraction(
  interaction: RepliableInteraction,
  ephemeral: boolean,
  log: Logger,
  ctx: ActionContext,
): Promise<boolean> {
  if (interaction.deferred || interaction.replied) return true;
  try {
    await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    return true;
  } catch (err) {
    log.warn({ ...ctx, err: errFields(err) }, 'could not acknowledge the interaction (expired?); the user got no answer');
    return false;
  }
}

/**
 * Tells only the acting user something, whatever state the interaction is in.
 * `placeholder`: the original response is still the deferred "thinking…" / "rendering…" message (not a
 * posted face). A fresh interaction gets an ephemeral reply; an ephemeral placeholder is edited; otherwise
 * an ephemeral follow-up is sent and a public placeholder removed. If that fails, the placeholder is edited.
 */
export async function answerPrivately(
  interaction: RepliableInteraction,
  text: string,
  log: Logger,
  ctx: ActionContext,
  placeholder: boolean,
): Promise<void> {
  const content = clamp(text, CONTENT_LIMIT);
  try {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
    } else if (placeholder && interaction.ephemeral) {
      await editPlaceholder(interaction, content);
    } else {
      await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
      if (placeholder) await removePlaceholder(interaction, log, ctx);
    }
  } catch (err) {
    log.error({ ...ctx, err: errFields(err) }, 'could not send the answer to the user');
    if (!placeholder) return;
    try {
      await editPlaceholder(interaction, content);
    } catch (err2) {
      log.error({ ...ctx, err: errFields(err2) }, 'the user could not be answered at all');
    }
  }
}

function editPlaceholder(interaction: RepliableInteraction, content: string): Promise<unknown> {
  return interaction.editReply({ content, embeds: [], files: [], components: [], allowedMentions: NO_PINGS });
}

async function removePlaceholder(interaction: RepliableInteraction, log: Logger, ctx: ActionContext): Promise<void> {
  try {
    await interaction.deleteReply();
  } catch (err) {
    log.warn({ ...ctx, err: errFields(err) }, 'could not remove the "thinking…" placeholder');
  }
}
