import type { ButtonInteraction } from 'discord.js';
import type { EngineContext, EngineReply } from '../../conversation/types.js';
import { parseFaceButtonId } from '../custom-ids.js';
import type { BotDeps } from '../deps.js';
import { answerPrivately } from '../interaction-answer.js';
import { runInteractionAction } from '../interaction-flow.js';

/** Reroll 🎲 and Undo ↩ under a face. The face id comes from the button, so old messages keep working. */
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
    call: action === 'reroll' ? (ctx) => deps.engine.reroll(ctx, faceId) : (ctx) => undoFrom(ctx, faceId, deps),
  });
}

/**
 * engine.undo steps back from the user's *current* face, so the button only does that when it sits under
 * that face and belongs to that user; otherwise it explains instead of undoing something unexpected.
 */
async function undoFrom(ctx: EngineContext, faceId: string, deps: BotDeps): Promise<EngineReply> {
  const face = await deps.store.getFace(faceId);
  if (!face) return { kind: 'text', reason: 'no-face', text: 'I no longer have that face.' };
  if (face.ownerId !== ctx.userId) {
    return { kind: 'text', reason: 'nothing-to-undo', text: 'Only the person who made this face can undo it; reply to it or react 🎲 to make your own.' };
  }
  if ((await deps.store.getCurrentFaceId(ctx.userId)) !== faceId) {
    return {
      kind: 'text',
      reason: 'nothing-to-undo',
      text: 'Undo steps back from your latest face, and this is an older one. Reply to it to change it, or use `/face undo`.',
    };
  }
  return deps.engine.undo(ctx);
}
