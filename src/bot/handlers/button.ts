import type { ButtonInteraction } from 'discord.js';
import { parseFaceButtonId } from '../custom-ids.js';
import type { BotDeps } from '../deps.js';
import { answerPrivately } from '../interaction-answer.js';
import { runInteractionAction } from '../interaction-flow.js';

/**
 * Reroll 🎲 and Undo ↩ under a face. The face id comes from the button, so old messages keep working; the
 * engine decides whether that face may be undone by this user (only their current face).
 */
export async function handleButton(interaction: ButtonInteraction, deps: BotDeps): Promise<void> {
  const parsed = parseFaceButtonId(interaction.customId);
  if (!parsed) {
    const ctx = { userId: interaction.user.id, command: `button ${interaction.customId.slice(0, 40)}` };
    deps.log.warn(ctx, 'unknown button');
    await answerPrivately(interaction, 'this button no longer does anything', deps.log, ctx, false);
    return;
  }
  const { action, faceId } = parsed;
  await runInteractionAction(interaction, deps, {
    command: `button:${action}`,
    faceId,
    ephemeral: false,
    rateLimited: true,
    call: action === 'reroll' ? (ctx) => deps.engine.reroll(ctx, faceId) : (ctx) => deps.engine.undo(ctx, faceId),
  });
}
