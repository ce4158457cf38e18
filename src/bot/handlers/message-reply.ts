import { MessageReferenceType, type Message } from 'discord.js';
import type { BotDeps } from '../deps.js';
import { runMessageAction } from '../message-flow.js';
import { errFields } from '../log-error.js';

/** Removes mentions of the bot ("<@id>" / "<@!id>") and tidies the spaces left behind. */
export function stripBotMention(content: string, botUserId: string): string {
  return content.replace(new RegExp(`<@!?${botUserId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

const EMPTY_HINT =
  'tell me what to change, e.g. "make him younger". (If you did, I could not read it: mention me in the ' +
  'reply, or ask the bot owner to enable the Message Content intent.)';

/**
 * A reply (message_reference) to a face message the bot posted refines that face: "make him younger".
 * Works for faces posted before a restart (the face is looked up by message id in the store). Bots,
 * forwards, and messages that do not reply to a face message are ignored.
 */
export async function handleMessageReply(message: Message, deps: BotDeps, botUserId: string): Promise<void> {
  if (message.author.bot || message.system) return;
  const ref = message.reference;
  if (!ref?.messageId || ref.type === MessageReferenceType.Forward) return;
  const faceId = await deps.store.getFaceIdByMessage(ref.messageId);
  if (!faceId) return;

  const text = stripBotMention(message.content, botUserId);
  if (!text) {
    deps.log.info({ userId: message.author.id, command: 'reply:refine', faceId }, 'empty reply to a face');
    await message
      .reply({ content: EMPTY_HINT, allowedMentions: { parse: [], repliedUser: true } })
      .catch((err: unknown) => deps.log.error({ userId: message.author.id, faceId, err: errFields(err) }, 'could not answer'));
    return;
  }
  await runMessageAction(message, deps, {
    command: 'reply:refine',
    userId: message.author.id,
    faceId,
    mentionUser: false,
    call: (ctx) => deps.engine.refine(ctx, text, faceId),
  });
}
