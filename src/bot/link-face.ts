import type { ActionContext, BotDeps } from './deps.js';
import { errFields } from './log-error.js';

/** Remembers which message shows which face (replies and reactions look it up, also after a restart). */
export async function linkPostedFace(
  deps: BotDeps,
  messageId: string,
  faceId: string,
  ctx: ActionContext,
): Promise<boolean> {
  try {
    await deps.store.linkMessage(messageId, faceId);
    return true;
  } catch (err) {
    deps.log.error({ ...ctx, faceId, messageId, err: errFields(err) }, 'could not link the posted message to its face');
    return false;
  }
}
