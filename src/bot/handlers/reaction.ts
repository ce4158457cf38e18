import type { MessageReaction, PartialMessageReaction, PartialUser, User } from 'discord.js';
import type { BotDeps } from '../deps.js';
import { faceBehindMessage } from '../face-lookup.js';
import { runMessageAction } from '../message-flow.js';

export const REROLL_EMOJI = ['🎲', '🔄'] as const;

/**
 * 🎲 or 🔄 on a face message rerolls it (same edits, new seed); the new face is a reply to that message.
 * Works on uncached messages from before a restart: only ids are used (Partials) and the engine finds the
 * face by message id.
 */
export async function handleReactionAdd(
  reaction: MessageReaction | PartialMessageReaction,
  user: User | PartialUser,
  deps: BotDeps,
  botUserId: string,
): Promise<void> {
  if (user.id === botUserId || user.bot === true) return;
  const emoji = reaction.emoji.name?.replace(/\uFE0F/g, '');
  if (!emoji || !(REROLL_EMOJI as readonly string[]).includes(emoji)) return;
  const ctx = { userId: user.id, command: 'reaction:reroll', guildId: reaction.message.guildId, channelId: reaction.message.channelId };
  const faceId = await faceBehindMessage(deps, reaction.message.id, ctx);
  if (!faceId) return;
  await runMessageAction(reaction.message, deps, {
    command: 'reaction:reroll',
    userId: user.id,
    faceId,
    mentionUser: true,
    rateLimited: true,
    call: (engineCtx) => deps.engine.reroll(engineCtx, faceId),
  });
}
