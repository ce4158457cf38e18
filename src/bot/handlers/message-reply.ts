import { MessageReferenceType, type Attachment, type Message } from 'discord.js';
import { parseMixWords } from '../../conversation/mix-words.js';
import type { BotDeps } from '../deps.js';
import { faceBehindMessage } from '../face-lookup.js';
import { errFields } from '../log-error.js';
import { runMessageAction } from '../message-flow.js';
import { attachmentBytes, imageAttachment } from '../photo-upload.js';

/** Removes mentions of the bot ("<@id>" / "<@!id>") and tidies the spaces left behind. */
export function stripBotMention(content: string, botUserId: string): string {
  return content.replace(new RegExp(`<@!?${botUserId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

/**
 * What to say to a reply to a face that has no words to apply. Without the Message Content intent Discord
 * sends the text only of messages that mention the bot, so a reply that does not mention it arrives empty.
 */
export function emptyReplyHint(mentionedBot: boolean, messageContent: boolean, botUserId: string): string {
  if (mentionedBot || messageContent) return 'tell me what to change, e.g. "make him younger".';
  return `I can only read replies that mention me: reply with e.g. "<@${botUserId}> make him younger", or use \`/face refine\`.`;
}

/**
 * A reply (message_reference) to a face message the bot posted refines that face: "make him younger".
 * Works for faces posted before a restart (the engine finds the face by message id). A reply by someone
 * other than the face's owner makes them their own copy; the owner's face stays. A reply whose words ask
 * for a mix ("mix my face with this one, 70% of this one") mixes the user's current face with the replied
 * face instead. Bots, forwards, and messages that do not reply to a face message are ignored.
 */
export async function handleMessageReply(message: Message, deps: BotDeps, botUserId: string): Promise<void> {
  if (message.author.bot || message.system) return;
  // checked without waiting, so other messages and reactions are handled in the order they came
  const photo = photoSentToBot(message, deps, botUserId);
  if (photo) return handlePhotoMessage(message, deps, photo);
  const ref = message.reference;
  if (!ref?.messageId || ref.type === MessageReferenceType.Forward) return;
  const userId = message.author.id;
  const ctx = { userId, command: 'reply:refine', guildId: message.guildId, channelId: message.channelId };
  const repliedToBot = message.mentions.repliedUser?.id === botUserId;
  const faceId = await faceBehindMessage(deps, ref.messageId, ctx, repliedToBot ? (text) => answer(message, text, deps) : undefined);
  if (!faceId) return;

  const text = stripBotMention(message.content, botUserId);
  if (!text) {
    deps.log.info({ ...ctx, faceId, messageContent: deps.messageContent ?? false }, 'reply to a face without words');
    const mentionedBot = message.content.includes(`<@${botUserId}>`) || message.content.includes(`<@!${botUserId}>`);
    await answer(message, emptyReplyHint(mentionedBot, deps.messageContent ?? false, botUserId), deps);
    return;
  }
  const mixWords = deps.engine.mix ? parseMixWords(text) : undefined;
  if (mixWords?.isMix) {
    const weight = mixWords.weight;
    await runMessageAction(message, deps, {
      command: 'reply:mix',
      userId,
      faceId,
      mentionUser: false,
      rateLimited: true,
      // the user's current face is the base, the replied face the other; the engine answers "same face"
      call: (engineCtx) => deps.engine.mix!(engineCtx, { otherFaceId: faceId, ...(weight !== undefined ? { weight } : {}) }),
    });
    return;
  }
  await runMessageAction(message, deps, {
    command: 'reply:refine',
    userId,
    faceId,
    mentionUser: false,
    rateLimited: true,
    call: (engineCtx) => deps.engine.refine(engineCtx, text, faceId),
  });
}

/**
 * A photo sent to the bot: an image attached to a message that mentions it, replies to it, or is a DM (the
 * image, else undefined). It makes a face from it, as /face photo does; the answer is a reply to that message.
 */
function photoSentToBot(message: Message, deps: BotDeps, botUserId: string): Attachment | undefined {
  const image = imageAttachment(message.attachments.values());
  // an image the bot cannot use is not taken for a photo: the message goes on as it would without it
  if (!image || !deps.engine.photo || deps.engine.photosAvailable === false) return undefined;
  // a reply to a face with words refines that face ("make him older" with a screenshot): words win there
  if (message.mentions.repliedUser?.id === botUserId && stripBotMention(message.content, botUserId) !== '') return undefined;
  const toBot = message.mentions.users.has(botUserId) || message.mentions.repliedUser?.id === botUserId || message.guildId === null;
  return toBot ? image : undefined;
}

async function handlePhotoMessage(message: Message, deps: BotDeps, image: Attachment): Promise<void> {
  await runMessageAction(message, deps, {
    command: 'reply:photo',
    userId: message.author.id,
    mentionUser: false,
    rateLimited: true,
    call: async (ctx) => {
      const bytes = await attachmentBytes(image, deps.photoMaxBytes, deps.fetchBytes);
      if ('refusal' in bytes) return { kind: 'text', reason: 'error', text: bytes.refusal };
      return deps.engine.photo!(ctx, { bytes, name: image.name });
    },
  });
}

async function answer(message: Message, text: string, deps: BotDeps): Promise<void> {
  await message
    .reply({ content: text, allowedMentions: { parse: [], repliedUser: true } })
    .catch((err: unknown) => deps.log.error({ userId: message.author.id, err: errFields(err) }, 'could not answer'));
}
