import type { EngineContext, EngineReply, GridReply } from '../conversation/types.js';
import type { ActionContext, BotDeps } from './deps.js';
import { faceMessage, type FaceMessagePayload } from './format/face-message.js';
import { gridMessage } from './format/grid-message.js';
import { errFields } from './log-error.js';
import { QueueProgress } from './queue-progress.js';
import { admitRender } from './rate-limit.js';
import { errorKind, userMessageForError } from './user-errors.js';

/** One engine-backed action a user started: a slash command, a button, a reply or a reaction. */
export interface BotAction {
  /** For logs: "describe", "button:reroll", "reply:refine", "reaction:reroll", … */
  command: string;
  /** The face acted on, when known (logs). */
  faceId?: string;
  /** Whether this action renders and so counts against the per-user rate limit. */
  rateLimited: boolean;
  /** A face, text, or a grid of four to pick from (describe with four, Vary). */
  call: (ctx: EngineContext) => Promise<EngineReply | GridReply>;
}

/**
 * When a text answer is given: `refused` before anything was acknowledged (rate limit), `answer` instead
 * of a face (engine text or error), `after-face` as a note once the face is posted.
 */
export type AnswerStage = 'refused' | 'answer' | 'after-face';

/** Where an action is answered: an interaction (deferred, then edited) or a message (replied to). */
export interface AnswerSurface {
  /** Acknowledges before the engine runs (defer, typing…); false when nothing more can be sent. */
  start(): Promise<boolean>;
  /** Shows the queue position ("rendering… 3rd in line"), where the surface can. */
  showProgress?: (text: string) => Promise<unknown>;
  /** A text answer for the acting user; failures are logged by the surface, never thrown. */
  tell(text: string, stage: AnswerStage, ctx: ActionContext): Promise<void>;
  /** Posts the face message; resolves with its message id. */
  postFace(payload: FaceMessagePayload): Promise<string>;
}

const FACE_NOT_POSTED = '⚠️ the face was drawn but could not be posted here; please try again';
const FACE_NOT_LINKED = 'note: this face could not be remembered, so replies and 🎲 reactions to it will not work';

/**
 * The one path every engine-backed action takes, whatever surface answers it: rate limit → acknowledge →
 * engine call with queue progress → the face (PNG, caption, buttons), linked to its message through the
 * engine, or a text answer. Every outcome answers the user and is logged with user id, command and face id.
 */
export async function runAction(deps: BotDeps, action: BotAction, ctx: ActionContext, surface: AnswerSurface): Promise<void> {
  const { log } = deps;
  if (action.rateLimited) {
    const refused = await admitRender(deps, ctx);
    if (refused !== undefined) {
      await surface.tell(refused, 'refused', ctx);
      return;
    }
  }

  if (!(await surface.start())) return;

  const started = Date.now();
  const progress = surface.showProgress
    ? new QueueProgress(surface.showProgress, (err) => log.warn({ ...ctx, err: errFields(err) }, 'could not show the queue position'), deps.progressIntervalMs)
    : undefined;
  let reply: EngineReply | GridReply;
  try {
    reply = await action.call({ userId: ctx.userId, onQueued: progress?.onQueued });
  } catch (err) {
    await progress?.stop();
    log.error({ ...ctx, err: errFields(err), kind: errorKind(err), ms: Date.now() - started }, 'engine call failed');
    await surface.tell(userMessageForError(err), 'answer', ctx);
    return;
  }
  await progress?.stop();

  if (reply.kind === 'text') {
    log.info({ ...ctx, reason: reply.reason }, 'answered with text');
    await surface.tell(reply.text, 'answer', ctx);
    return;
  }

  if (reply.kind === 'grid') {
    // four faces in one message: not linked to a face (replies and 🎲 need one face: Pick it first)
    const faceIds = reply.faces.map((f) => f.id);
    try {
      const messageId = await surface.postFace(gridMessage(reply));
      log.info({ ...ctx, faceIds, sourceFaceId: action.faceId, messageId, ms: Date.now() - started }, 'grid posted');
    } catch (err) {
      log.error({ ...ctx, faceIds, err: errFields(err) }, 'could not post the grid');
      await surface.tell(FACE_NOT_POSTED, 'answer', ctx);
    }
    return;
  }

  const faceCtx = { ...ctx, faceId: reply.face.id, sourceFaceId: action.faceId };
  let messageId: string;
  try {
    messageId = await surface.postFace(faceMessage(reply));
  } catch (err) {
    log.error({ ...faceCtx, err: errFields(err) }, 'could not post the face');
    await surface.tell(FACE_NOT_POSTED, 'answer', faceCtx);
    return;
  }
  log.info({ ...faceCtx, messageId, seed: reply.face.seed, ms: Date.now() - started }, 'face posted');

  try {
    await deps.engine.linkMessage(messageId, reply.face.id);
  } catch (err) {
    log.error({ ...faceCtx, messageId, err: errFields(err) }, 'could not link the posted message to its face');
    await surface.tell(FACE_NOT_LINKED, 'after-face', faceCtx);
  }
}
