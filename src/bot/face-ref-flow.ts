import type { ChatInputCommandInteraction } from 'discord.js';
import type { EngineContext, EngineReply } from '../conversation/types.js';
import type { ActionContext, BotDeps } from './deps.js';
import { junkFaceRefText, parseFaceRef, resolveFaceRef, type FaceRef } from './face-ref.js';
import { answerPrivately } from './interaction-answer.js';
import { runInteractionAction } from './interaction-flow.js';

/** How long a face option may be: a message link is about 90 characters. */
export const MAX_FACE_REF = 200;

/**
 * A `/face` subcommand that names faces (by id or message link) and makes a new face from them (mix,
 * analogy). Junk references are answered privately at once, before the rate limit; then the usual flow
 * (rate limit, deferral, queue progress, a public face message linked to its face), with the links followed
 * after the deferral: a link the user may not read is answered privately and the engine is not called.
 */
export async function runWithFaceRefs(
  interaction: ChatInputCommandInteraction,
  deps: BotDeps,
  command: string,
  options: readonly string[],
  call: (ctx: EngineContext, faceIds: string[]) => Promise<EngineReply>,
): Promise<void> {
  const ctx: ActionContext = { userId: interaction.user.id, command, guildId: interaction.guildId, channelId: interaction.channelId };
  const refs: FaceRef[] = [];
  for (const option of options) {
    const text = interaction.options.getString(option, true);
    const ref = parseFaceRef(text);
    if (!ref) {
      deps.log.info({ ...ctx, option, chars: text.length }, 'not a face reference');
      return answerPrivately(interaction, junkFaceRefText(text, option), deps.log, ctx, false);
    }
    refs.push(ref);
  }
  return runInteractionAction(interaction, deps, {
    command,
    ephemeral: false,
    rateLimited: true,
    call: async (engineCtx) => {
      const faceIds: string[] = [];
      for (const ref of refs) {
        const found = await resolveFaceRef(ref, { client: interaction.client, user: interaction.user }, deps, ctx);
        if (!found.ok) return { kind: 'text', reason: 'no-face', text: found.text };
        faceIds.push(found.faceId);
      }
      return call(engineCtx, faceIds);
    },
  });
}
