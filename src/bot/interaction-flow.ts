import type { RepliableInteraction } from 'discord.js';
import { runAction, type BotAction } from './action-flow.js';
import type { ActionContext, BotDeps } from './deps.js';
import { answerPrivately, deferInteraction } from './interaction-answer.js';

export interface InteractionAction extends BotAction {
  /** Whether the whole answer is only for the acting user. */
  ephemeral: boolean;
}

/**
 * A slash command or a button, answered through the interaction: deferred within Discord's 3 seconds, the
 * placeholder shows the queue position, then becomes the face; text answers are private (ephemeral).
 */
export function runInteractionAction(interaction: RepliableInteraction, deps: BotDeps, action: InteractionAction): Promise<void> {
  const ctx: ActionContext = {
    userId: interaction.user.id,
    command: action.command,
    faceId: action.faceId,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
  };
  return runAction(deps, action, ctx, {
    start: () => deferInteraction(interaction, action.ephemeral, deps.log, ctx),
    showProgress: (text) => interaction.editReply({ content: text }),
    // only an answer given instead of the face replaces the "thinking…" placeholder
    tell: (text, stage, logCtx) => answerPrivately(interaction, text, deps.log, logCtx, stage === 'answer'),
    postFace: async (payload) => (await interaction.editReply(payload)).id,
  });
}
