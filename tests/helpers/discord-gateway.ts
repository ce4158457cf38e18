import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  Client,
  ClientUser,
  ComponentType,
  InteractionType,
} from 'discord.js';
import { botClientOptions } from '../../src/bot/client-options.js';
import { discordIds, FAKE_TOKEN, rawMessageDefaults, snowflake } from './discord-ids.js';
import type { RestCapture } from './discord-rest.js';

/**
 * The entry points discord.js itself uses for gateway packets. They are not in the public typings, so
 * they are named here once; nothing is replaced, the real code runs.
 */
interface GatewayEntryPoints {
  actions: {
    InteractionCreate: { handle(data: unknown): unknown };
    MessageCreate: { handle(data: unknown): unknown };
    MessageReactionAdd: { handle(data: unknown): unknown };
  };
  ws: { handlePacket(packet: { t: string; d: unknown }, shard: { id: number }): boolean };
}

const entry = (client: Client) => client as unknown as GatewayEntryPoints;

export const rawUser = (id: string, name = `user${id.slice(-2)}`, bot = false) => ({
  id,
  username: name,
  discriminator: '0',
  global_name: name,
  avatar: null,
  ...(bot ? { bot: true } : {}),
});

const rawMember = (userId: string) => ({
  user: rawUser(userId),
  roles: [],
  joined_at: '2024-01-01T00:00:00.000Z',
  deaf: false,
  mute: false,
  flags: 0,
  nick: null,
  avatar: null,
  permissions: '2248473465835073',
});

const rawChannel = { id: discordIds.channel, type: ChannelType.GuildText, guild_id: discordIds.guild, name: 'faces', position: 0, permission_overwrites: [], nsfw: false };

/**
 * A real discord.js Client that never connects: REST goes to `rest` (discord.js's makeRequest hook), the
 * bot user is a real ClientUser built from a raw payload, and the guild arrives as a GUILD_CREATE packet.
 */
export function createOfflineClient(rest: RestCapture): Client {
  const client = new Client(botClientOptions({ messageContent: false }, { rest: { makeRequest: rest.makeRequest, retries: 0 } }));
  client.rest.setToken(FAKE_TOKEN);
  client.user = Reflect.construct(ClientUser, [client, rawUser(discordIds.bot, 'tellaface', true)]) as ClientUser;
  client.users.cache.set(client.user.id, client.user);
  entry(client).ws.handlePacket(
    {
      t: 'GUILD_CREATE',
      d: {
        id: discordIds.guild,
        name: 'Test server',
        icon: null,
        owner_id: discordIds.user,
        roles: [{ id: discordIds.guild, name: '@everyone', permissions: '2248473465835073', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
        emojis: [],
        stickers: [],
        features: [],
        channels: [rawChannel],
        threads: [],
        members: [],
        voice_states: [],
        presences: [],
        member_count: 2,
        unavailable: false,
      },
    },
    { id: 0 },
  );
  return client;
}

/** INTERACTION_CREATE for `/face <sub> [options]` (a raw APIChatInputApplicationCommandInteraction). */
export function slashPayload(
  sub: string,
  options: { name: string; type: ApplicationCommandOptionType; value: string | number }[] = [],
  userId: string = discordIds.user,
) {
  return {
    id: snowflake(),
    application_id: discordIds.app,
    type: InteractionType.ApplicationCommand,
    token: `itoken-${snowflake()}`,
    version: 1,
    guild_id: discordIds.guild,
    channel_id: discordIds.channel,
    channel: rawChannel,
    member: rawMember(userId),
    app_permissions: '2248473465835073',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { 0: discordIds.guild },
    context: 0,
    data: {
      id: '1600000000000000006',
      name: 'face',
      type: ApplicationCommandType.ChatInput,
      options: [{ type: ApplicationCommandOptionType.Subcommand, name: sub, options }],
    },
  };
}

export const describePayload = (text: string, userId: string = discordIds.user) =>
  slashPayload('describe', [{ name: 'text', type: ApplicationCommandOptionType.String, value: text }], userId);

/** A face message as the bot posted it (the message a button sits on). */
export function botMessagePayload(messageId: string, customIds: string[] = []) {
  return {
    id: messageId,
    channel_id: discordIds.channel,
    author: rawUser(discordIds.bot, 'tellaface', true),
    content: 'older ▲',
    ...rawMessageDefaults(),
    timestamp: '2024-01-01T00:00:00.000Z',
    attachments: [],
    type: 0,
    components: [
      {
        type: ComponentType.ActionRow,
        components: customIds.map((custom_id) => ({ type: ComponentType.Button, style: 2, label: custom_id, custom_id })),
      },
    ],
  };
}

/** INTERACTION_CREATE for a click on a button with `customId` under message `messageId`. */
export function buttonPayload(customId: string, messageId: string, userId: string = discordIds.user) {
  const base = slashPayload('unused', [], userId);
  return {
    ...base,
    type: InteractionType.MessageComponent,
    message: botMessagePayload(messageId, [customId]),
    data: { custom_id: customId, component_type: ComponentType.Button },
  };
}

function memberWithoutUser(userId: string) {
  const member: Partial<ReturnType<typeof rawMember>> = rawMember(userId);
  delete member.user;
  return member;
}

/** MESSAGE_CREATE of a user's message, optionally replying to `replyTo` (message_reference). */
export function userMessagePayload(content: string, replyTo?: string, userId: string = discordIds.user, bot = false) {
  return {
    id: snowflake(),
    channel_id: discordIds.channel,
    guild_id: discordIds.guild,
    author: rawUser(userId, undefined, bot),
    member: memberWithoutUser(userId), // MESSAGE_CREATE members carry no user: the author is the user
    content,
    ...rawMessageDefaults(),
    attachments: [],
    type: replyTo ? 19 : 0,
    ...(replyTo
      ? { message_reference: { type: 0, message_id: replyTo, channel_id: discordIds.channel, guild_id: discordIds.guild } }
      : {}),
  };
}

/** MESSAGE_REACTION_ADD for `emoji` on `messageId` (which need not be cached: the Partials case). */
export function reactionPayload(emoji: string, messageId: string, userId: string = discordIds.user) {
  return {
    user_id: userId,
    channel_id: discordIds.channel,
    message_id: messageId,
    guild_id: discordIds.guild,
    member: rawMember(userId),
    emoji: { id: null, name: emoji },
    burst: false,
    burst_colors: [],
    type: 0,
    message_author_id: discordIds.bot,
  };
}

/** Feeds raw gateway dispatch data through discord.js's own action handlers (as the gateway would). */
export const gateway = {
  interactionCreate: (client: Client, raw: unknown) => entry(client).actions.InteractionCreate.handle(raw),
  messageCreate: (client: Client, raw: unknown) => entry(client).actions.MessageCreate.handle(raw),
  reactionAdd: (client: Client, raw: unknown) => entry(client).actions.MessageReactionAdd.handle(raw),
};
