import type { Message, MessageMentionOptions, PartialMessage } from 'discord.js';
import { runAction, type BotAction } from './action-flow.js';
import type { ActionContext, BotDeps } from './deps.js';
import { CONTENT_LIMIT, clamp } from './format/text.js';
import { errFields } from './log-error.js';

export interface MessageAction extends BotAction {
  userId: string;
  /** The face the user acted on (none for a photo sent to the bot). */
  faceId?: string;
  /** Text answers start with a mention of the user (a reaction has no message of theirs to reply to). */
  mentionUser: boolean;
}

/**
 * A reply or a reaction, answered with a reply (message_reference) to `target`: the face, or a short text
 * for the rate limit, engine errors and text answers.
 */
export function runMessageAction(target: Message | PartialMessage, deps: BotDeps, action: MessageAction): Promise<void> {
  const ctx: ActionContext = {
    userId: action.userId,
    command: action.command,
    faceId: action.faceId,
    guildId: target.guildId,
    channelId: target.channelId,
  };
  return runAction(deps, action, ctx, {
    start: async () => {
      void showTyping(target);
      return true;
    },
    tell: (text, _stage, logCtx) => replyText(target, action, text, deps, logCtx),
    postFace: async (payload) => (await target.reply(payload)).id,
  });
}

async function replyText(
  target: Message | PartialMessage,
  action: MessageAction,
  text: string,
  deps: BotDeps,
  ctx: ActionContext,
): Promise<void> {
  const allowedMentions: MessageMentionOptions = action.mentionUser
    ? { parse: [], users: [action.userId], repliedUser: false }
    : { parse: [], repliedUser: true };
  const content = clamp(action.mentionUser ? `<@${action.userId}> ${text}` : text, CONTENT_LIMIT);
  try {
    await target.reply({ content, allowedMentions });
  } catch (err) {
    deps.log.error({ ...ctx, err: errFields(err), answerChars: text.length }, 'could not answer the user'); // no text: it can quote the user's words
  }
}

async function showTyping(target: Message | PartialMessage): Promise<void> {
  try {
    const channel = target.channel;
    if ('sendTyping' in channel) await channel.sendTyping();
  } catch {
    // only a courtesy; the real answer follows
  }
}
