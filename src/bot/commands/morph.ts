import { AttachmentBuilder, escapeMarkdown } from 'discord.js';
import type { MorphReply } from '../../conversation/types.js';
import type { ActionContext } from '../deps.js';
import { NO_PINGS } from '../format/face-message.js';
import { CONTENT_LIMIT, clamp } from '../format/text.js';
import { answerPrivately, deferInteraction } from '../interaction-answer.js';
import { parseFaceRef, resolveFaceRef } from '../face-ref.js';
import { errFields } from '../log-error.js';
import { QueueProgress } from '../queue-progress.js';
import { admitRender } from '../rate-limit.js';
import { errorKind, userMessageForError } from '../user-errors.js';
import type { FaceSubcommand } from './types.js';

export const MAX_MORPH_TEXT = 300;

type Morph = Extract<MorphReply, { kind: 'morph' }>;

/** The message: the looping WebP (alt text: an AI-generated animation), what it morphs along, and notes. */
export function morphMessage(reply: Morph) {
  const file = new AttachmentBuilder(reply.webp, {
    name: `morph-${reply.face.seed}.webp`,
    // Discord may strip the file's own label, so the message says what the picture is
    description: clamp(reply.altText, 1024),
  });
  const lines = [`**morph: ${escapeMarkdown(clamp(reply.caption || 'a face', 600))}**`, `seed \`${reply.face.seed}\` · ${reply.frames} frames`];
  if (reply.unknown.length) lines.push(`not understood: ${clamp(reply.unknown.map((w) => `“${escapeMarkdown(clamp(w, 60))}”`).join(', '), 500)}`);
  for (const note of reply.notes.slice(0, 5)) lines.push(`_${escapeMarkdown(clamp(note, 200))}_`);
  return { content: clamp(lines.join('\n'), CONTENT_LIMIT), files: [file], components: [], allowedMentions: NO_PINGS };
}

/**
 * `/face morph text:<…>`: an animation of your current face along an edit ("older", "smile",
 * "from young to old") or into another face (its id, or a link to its message: followed only when the user
 * can read it, like /face mix). Counts as one render against the rate limit; the
 * morph is posted publicly like a face, text answers are private; the current face does not change.
 */
export const morph: FaceSubcommand = {
  name: 'morph',
  description: 'Animate your current face: "older", "smile", "from young to old", or into a face (id or link)',
  options: (sub) =>
    sub.addStringOption((o) =>
      o
        .setName('text')
        .setDescription('What to morph along, e.g. "older" or "from young to old", or a face id or face message link')
        .setRequired(true)
        .setMaxLength(MAX_MORPH_TEXT),
    ),
  execute: async (interaction, deps) => {
    const text = interaction.options.getString('text', true);
    const { log } = deps;
    const ctx: ActionContext = { userId: interaction.user.id, command: 'morph', guildId: interaction.guildId, channelId: interaction.channelId };
    const tell = (message: string, placeholder: boolean) => answerPrivately(interaction, message, log, ctx, placeholder);
    if (!deps.engine.morph) return tell('Morphs are not available on this bot.', false);
    const refused = await admitRender(deps, ctx);
    if (refused !== undefined) return tell(refused, false);
    if (!(await deferInteraction(interaction, false, log, ctx))) return;
    const started = Date.now();
    const progress = new QueueProgress(
      (content) => interaction.editReply({ content }),
      (err) => log.warn({ ...ctx, err: errFields(err) }, 'could not show the queue position'),
      deps.progressIntervalMs,
    );
    const ref = parseFaceRef(text);
    let toFaceId: string | undefined;
    if (ref?.kind === 'link') {
      const found = await resolveFaceRef(ref, { client: interaction.client, user: interaction.user }, deps, ctx);
      if (!found.ok) {
        await progress.stop();
        return tell(found.text, true);
      }
      toFaceId = found.faceId;
    }
    let reply: MorphReply;
    try {
      const engineCtx = { userId: ctx.userId, onQueued: progress.onQueued };
      reply = await (toFaceId !== undefined ? deps.engine.morph(engineCtx, '', { toFaceId }) : deps.engine.morph(engineCtx, text));
    } catch (err) {
      await progress.stop();
      log.error({ ...ctx, err: errFields(err), kind: errorKind(err), ms: Date.now() - started }, 'engine call failed');
      return tell(userMessageForError(err), true);
    }
    await progress.stop();
    if (reply.kind === 'text') {
      log.info({ ...ctx, reason: reply.reason }, 'answered with text');
      return tell(reply.text, true);
    }
    const faceCtx = { ...ctx, faceId: reply.face.id };
    try {
      await interaction.editReply(morphMessage(reply));
      log.info({ ...faceCtx, frames: reply.frames, bytes: reply.webp.length, ms: Date.now() - started }, 'morph posted');
    } catch (err) {
      log.error({ ...faceCtx, err: errFields(err) }, 'could not post the morph');
      await tell('⚠️ the morph was drawn but could not be posted here; please try again', true);
    }
  },
};
