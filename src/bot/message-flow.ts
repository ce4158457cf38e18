import type { Message, MessageMentionOptions, PartialMessage } from 'discord.js';
import type { EngineContext, EngineReply } from '../conversation/types.js';
import type { ActionContext, BotDeps } from './deps.js';
import { faceMessage } from './format/face-message.js';
import { CONTENT_LIMIT, clamp } from './format/text.js';
import { linkPostedFace } from './link-face.js';
import { slowDownMessage } from './rate-limit.js';
import { errorKind, userMessageForError } from './user-errors.js';
import { errFields } from './log-error.js';

export interface MessageAction {
  /** For logs: "reply:refine", "reaction:reroll". */
  command: string;
  userId: string;
  /** The face the user acted on. */
  faceId: string;
  /** Text answers start with a mention of the user (a reaction has no message of theirs to reply to). */
  mentionUser: boolean;
  call: (ctx: EngineContext) => Promise<EngineReply>;
}

/**
 * Engine-backed actions that come from a message (a reply) or a reaction: the answer is a reply
 * (message_reference) to `target`. Rate limit, engine errors and text answers get a short reply too.
 */
export async function runMessageAction(
  target: Message | PartialMessage,
  deps: BotDeps,
  action: MessageAction,
): Promise<void> {
  const { log } = deps;
  const ctx: ActionContext = {
    userId: action.userId,
    command: action.command,
    faceId: action.faceId,
    guildId: target.guildId,
    channelId: target.channelId,
  };
  const say = (text: string) => replyText(target, action, text, deps, ctx);

  const decision = deps.limiter.take(action.userId);
  if (!decision.ok) {
    log.info({ ...ctx, retryAfterMs: decision.retryAfterMs }, 'rate limited');
    await say(slowDownMessage(decision.retryAfterMs));
    return;
  }

  void showTyping(target);
  const started = Date.now();
  let reply: EngineReply;
  try {
    reply = await action.call({ userId: action.userId });
  } catch (err) {
    log.error({ ...ctx, err: errFields(err), kind: errorKind(err), ms: Date.now() - started }, 'engine call failed');
    await say(userMessageForError(err));
    return;
  }

  if (reply.kind === 'text') {
    log.info({ ...ctx, reason: reply.reason }, 'answered with text');
    await say(reply.text);
    return;
  }

  const faceCtx = { ...ctx, faceId: reply.face.id, sourceFaceId: action.faceId };
  let posted: Message;
  try {
    posted = await target.reply(faceMessage(reply));
  } catch (err) {
    log.error({ ...faceCtx, err: errFields(err) }, 'could not post the face');
    return; // posting failed (permissions, deleted message…): a text reply would fail the same way
  }
  log.info({ ...faceCtx, messageId: posted.id, seed: reply.face.seed, ms: Date.now() - started }, 'face posted');
  if (!(await linkPostedFace(deps, posted.id, reply.face.id, faceCtx))) {
    await say('note: this face could not be remembered, so replies and 🎲 reactions to it will not work');
  }
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
    deps.log.error({ ...ctx, err: errFields(err), answer: text }, 'could not answer the user');
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
