import type { ActionContext, BotDeps } from './deps.js';
import { errFields } from './log-error.js';
import { userMessageForError } from './user-errors.js';

/**
 * The face a posted message shows, asked of the engine. A failed look-up (a locked or broken store) is
 * logged and, when `answer` is given (the message is known to be the bot's), answered instead of ignored.
 */
export async function faceBehindMessage(
  deps: BotDeps,
  messageId: string,
  ctx: ActionContext,
  answer?: (text: string) => Promise<unknown>,
): Promise<string | undefined> {
  try {
    return await deps.engine.faceForMessage(messageId);
  } catch (err) {
    deps.log.error({ ...ctx, messageId, err: errFields(err) }, 'could not look up the face behind a message');
    await answer?.(userMessageForError(err));
    return undefined;
  }
}
