import type { ButtonInteraction } from 'discord.js';
import { parseFaceButtonId } from '../custom-ids.js';
import type { BotDeps } from '../deps.js';
import { answerPrivately } from '../interaction-answer.js';
import { runInteractionAction } from '../interaction-flow.js';

const NO_GRID = 'Picking from four is not available here.';

/**
 * Reroll 🎲 and Undo ↩ under a face; Pick N and Vary N under a grid of four (pick: that face becomes your
 * current one, drawn at full size; vary: four neighbours of it). The face id comes from the button, so old messages keep working; the
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
    call: (ctx) => {
      const { engine } = deps;
      switch (action) {
        case 'reroll':
          return engine.reroll(ctx, faceId);
        case 'undo':
          return engine.undo(ctx, faceId);
        case 'pick':
          return engine.pick ? engine.pick(ctx, faceId) : Promise.resolve({ kind: 'text', reason: 'error', text: NO_GRID });
        case 'vary':
          return engine.vary ? engine.vary(ctx, faceId) : Promise.resolve({ kind: 'text', reason: 'error', text: NO_GRID });
      }
    },
  });
}
