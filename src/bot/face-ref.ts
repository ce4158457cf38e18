import {
  ChannelType,
  DiscordAPIError,
  escapeMarkdown,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  type Channel,
  type Client,
  type GuildBasedChannel,
  type User,
} from 'discord.js';
import type { ActionContext, BotDeps } from './deps.js';
import { faceBehindMessage } from './face-lookup.js';
import { clamp } from './format/text.js';
import { errFields } from './log-error.js';
import { userMessageForError } from './user-errors.js';

/*
 * A face named in a command: its id (shown under every face message) or a link to a face message
 * (right-click → Copy Message Link). A link only counts when the user can read the message it points at:
 * the channel must be one they can see and read the history of, and the message must be in that channel,
 * so a link cannot be used to reach faces posted where the user is not allowed to look. A bare id only
 * counts for the user's own faces: the store does not know where a face was posted, and ids are shown in
 * DMs and private channels too, so someone else's face is reached through a link to it (checked as above).
 */

/** A face id as the store makes them (src/store/ids.ts): 12 characters, URL-safe, not starting with - or _. */
export const FACE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{11}$/;

/** A Discord message link (also ptb./canary., discordapp.com, and wrapped in <> to suppress the embed). */
const MESSAGE_LINK = /^<?https:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/channels\/(\d{1,20}|@me)\/(\d{1,20})\/(\d{1,20})\/?>?$/i;

export type FaceRef =
  | { kind: 'id'; faceId: string }
  | { kind: 'link'; guildId: string | null; channelId: string; messageId: string };

export type FaceRefResult = { ok: true; faceId: string } | { ok: false; text: string };

/** A face id or a message link, else undefined (junk: answer it with junkFaceRefText). */
export function parseFaceRef(text: string): FaceRef | undefined {
  const s = text.trim();
  if (FACE_ID.test(s)) return { kind: 'id', faceId: s };
  const link = MESSAGE_LINK.exec(s);
  if (!link) return undefined;
  const [, guild, channelId, messageId] = link as unknown as [string, string, string, string];
  return { kind: 'link', guildId: guild === '@me' ? null : guild, channelId, messageId };
}

/** Whether the text is a message link (not a face id): for options that also take other words (morph). */
export function isMessageLink(text: string): boolean {
  return parseFaceRef(text)?.kind === 'link';
}

/** The answer to a reference that is neither a face id nor a message link. */
export function junkFaceRefText(text: string, option?: string): string {
  const shown = text.trim() ? `“${escapeMarkdown(clamp(text.trim(), 80))}”` : 'That';
  const where = option ? ` (\`${option}\`)` : '';
  return `${shown}${where} is not a face I can find: give a face id (the \`face\` code under a face message, 12 characters) `
    + 'or a link to a face message (right-click it or long-press it → Copy Message Link).';
}

const NOT_A_FACE = 'That message is not a tellaface face: link a message that shows one of my faces, or give the face id under it.';
const CANNOT_SEE_CHANNEL = 'I cannot see that channel, so I cannot use a face from it: link a face in a channel I am in, or give its face id.';
const USER_CANNOT_READ = 'You cannot read that channel, so I will not use a face from it: link a face from a channel you can read, or give its face id.';
const CANNOT_FIND_MESSAGE = 'I cannot find that message in that channel (deleted, or a broken link?): copy the face message\'s link again, or give its face id.';
const SOMEONE_ELSES_ID = 'That face id is someone else\'s face, and a bare id only works for your own faces (I cannot tell where '
  + 'it was posted): link the message that shows it (right-click or long-press it → Copy Message Link), so I can check you can see it.';
const CANNOT_READ_MESSAGES = 'I cannot read the messages in that channel, so I cannot check that link: give the face id under the face message instead.';

/** Who is asking, and the client to fetch the linked channel and message with. */
export interface FaceRefAsker {
  client: Client;
  user: User;
}

/**
 * The face a reference names. An id is taken as it is (the engine says when no such face exists); a link is
 * followed only when the asking user can read the linked message, then the face behind it is asked of the
 * engine. Every refusal is a text for the user; nothing here throws.
 */
export async function resolveFaceRef(ref: FaceRef, asker: FaceRefAsker, deps: BotDeps, ctx: ActionContext): Promise<FaceRefResult> {
  if (ref.kind === 'id') return resolveFaceId(ref.faceId, asker, deps, ctx);
  const refuse = (text: string, why: string, extra: Record<string, unknown> = {}): FaceRefResult => {
    deps.log.info({ ...ctx, linkChannelId: ref.channelId, linkMessageId: ref.messageId, why, ...extra }, 'face link refused');
    return { ok: false, text };
  };

  let channel: Channel | null;
  try {
    // under npm run shard the server may belong to another shard: fetch it first (REST), so its channels resolve
    if (ref.guildId && !asker.client.guilds.cache.has(ref.guildId)) await asker.client.guilds.fetch(ref.guildId).catch(() => undefined);
    channel = await asker.client.channels.fetch(ref.channelId);
  } catch (err) {
    return refuse(CANNOT_SEE_CHANNEL, 'channel fetch failed', { err: errFields(err) });
  }
  if (!channel) return refuse(CANNOT_SEE_CHANNEL, 'no such channel');

  if (channel.isDMBased()) {
    // a DM is readable only by its two ends: the bot and the one user it is with
    if (ref.guildId !== null) return refuse(CANNOT_FIND_MESSAGE, 'DM channel under a server link');
    if (channel.type !== ChannelType.DM || channel.recipientId !== asker.user.id) return refuse(USER_CANNOT_READ, 'someone else\'s DM');
  } else {
    if (ref.guildId !== null && ref.guildId !== channel.guildId) return refuse(CANNOT_FIND_MESSAGE, 'channel not in the linked server');
    if (!(await userCanRead(channel, asker.user))) return refuse(USER_CANNOT_READ, 'user lacks ViewChannel or ReadMessageHistory');
  }

  if (!channel.isTextBased()) return refuse(CANNOT_FIND_MESSAGE, 'not a text channel');
  try {
    // the message must really be in the channel the user may read: else any id could ride on a public channel
    await channel.messages.fetch(ref.messageId);
  } catch (err) {
    const code = err instanceof DiscordAPIError ? err.code : undefined;
    if (code === RESTJSONErrorCodes.UnknownMessage) return refuse(CANNOT_FIND_MESSAGE, 'unknown message');
    if (code === RESTJSONErrorCodes.MissingAccess || code === RESTJSONErrorCodes.MissingPermissions) {
      return refuse(CANNOT_READ_MESSAGES, 'bot cannot read the channel', { code });
    }
    return refuse(CANNOT_FIND_MESSAGE, 'message fetch failed', { err: errFields(err) });
  }

  let failure: string | undefined;
  const faceId = await faceBehindMessage(deps, ref.messageId, ctx, async (text) => {
    failure = text;
  });
  if (failure !== undefined) return { ok: false, text: failure };
  if (!faceId) return refuse(NOT_A_FACE, 'not a face message');
  return { ok: true, faceId };
}

/** A bare face id: the user's own face, or one unknown (the engine says it cannot find it); else refused. */
async function resolveFaceId(faceId: string, asker: FaceRefAsker, deps: BotDeps, ctx: ActionContext): Promise<FaceRefResult> {
  let owner: string | undefined;
  try {
    owner = await deps.engine.faceOwner(faceId);
  } catch (err) {
    deps.log.error({ ...ctx, faceId, err: errFields(err) }, 'could not look up the owner of a face');
    return { ok: false, text: userMessageForError(err) };
  }
  if (owner !== undefined && owner !== asker.user.id) {
    deps.log.info({ ...ctx, faceId, why: "someone else's face by bare id" }, 'face id refused');
    return { ok: false, text: SOMEONE_ELSES_ID };
  }
  return { ok: true, faceId };
}

/** Whether the user may see the channel and read its history (and, in a private thread, is in it). */
async function userCanRead(channel: GuildBasedChannel, user: User): Promise<boolean> {
  let perms = channel.permissionsFor(user);
  if (!perms) {
    // not cached (e.g. the command came from a DM): ask Discord for the member; not a member: cannot read
    const member = await channel.guild.members.fetch(user.id).catch(() => null);
    perms = member ? channel.permissionsFor(member) : null;
  }
  if (!perms?.has([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.ReadMessageHistory])) return false;
  if (channel.type === ChannelType.PrivateThread && !perms.has(PermissionFlagsBits.ManageThreads)) {
    return channel.members.fetch({ member: user.id }).then(() => true, () => false);
  }
  return true;
}
