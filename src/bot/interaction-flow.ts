import type { RepliableInteraction } from 'discord.js';
import type { EngineContext, EngineReply } from '../conversation/types.js';
import type { ActionContext, BotDeps } from './deps.js';
import { faceMessage } from './format/face-message.js';
import { answerPrivately, deferInteraction } from './interaction-answer.js';
import { linkPostedFace } from './link-face.js';
import { QueueProgress } from './queue-progress.js';
import { slowDownMessage } from './rate-limit.js';
import { errorKind, userMessageForError } from './user-errors.js';
import { errFields } from './log-error.js';

export interface InteractionAction {
  /** For logs: "describe", "button:reroll", … */
  command: string;
  /** The face acted on, when known (logs). */
  faceId?: string;
  /** Whether the whole answer is only for the acting user. */
  ephemeral: boolean;
  /** Whether this action renders and so counts against the per-user rate limit. */
  rateLimited: boolean;
  call: (ctx: EngineContext) => Promise<EngineReply>;
}

/**
 * The one path every engine-backed interaction takes: rate limit → defer (3 s deadline) → engine call with
 * queue progress edits → the face (PNG, caption, buttons) or a private message. Every outcome answers the
 * user and is logged with user id, command and face id.
 */
export async function runInteractionAction(
  interaction: RepliableInteraction,
  deps: BotDeps,
  action: InteractionAction,
): Promise<void> {
  const { log } = deps;
  const ctx: ActionContext = {
    userId: interaction.user.id,
    command: action.command,
    faceId: action.faceId,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
  };

  if (action.rateLimited) {
    const decision = deps.limiter.take(ctx.userId);
    if (!decision.ok) {
      log.info({ ...ctx, retryAfterMs: decision.retryAfterMs }, 'rate limited');
      await answerPrivately(interaction, slowDownMessage(decision.retryAfterMs), log, ctx, false);
      return;
    }
  }

  if (!(await deferInteraction(interaction, action.ephemeral, log, ctx))) return;

  const started = Date.now();
  const progress = new QueueProgress(
    (text) => interaction.editReply({ content: text }),
    (err) => log.warn({ ...ctx, err: errFields(err) }, 'could not show the queue position'),
    deps.progressIntervalMs,
  );

  let reply: EngineReply;
  try {
    reply = await action.call({ userId: ctx.userId, onQueued: progress.onQueued });
  } catch (err) {
    await progress.stop();
    log.error({ ...ctx, err: errFields(err), kind: errorKind(err), ms: Date.now() - started }, 'engine call failed');
    await answerPrivately(interaction, userMessageForError(err), log, ctx, true);
    return;
  }
  await progress.stop();

  if (reply.kind === 'text') {
    log.info({ ...ctx, reason: reply.reason }, 'answered with text');
    await answerPrivately(interaction, reply.text, log, ctx, true);
    return;
  }

  const faceCtx = { ...ctx, faceId: reply.face.id, sourceFaceId: action.faceId };
  let messageId: string;
  try {
    const message = await interaction.editReply(faceMessage(reply));
    messageId = message.id;
  } catch (err) {
    log.error({ ...faceCtx, err: errFields(err) }, 'could not post the face');
    await answerPrivately(interaction, '⚠️ the face was drawn but could not be posted here; please try again', log, faceCtx, true);
    return;
  }
  log.info({ ...faceCtx, messageId, seed: reply.face.seed, ms: Date.now() - started }, 'face posted');

  if (!(await linkPostedFace(deps, messageId, reply.face.id, faceCtx))) {
    await answerPrivately(
      interaction,
      'note: this face could not be remembered, so replies and 🎲 reactions to it will not work',
      log,
      faceCtx,
      false,
    );
  }
}
