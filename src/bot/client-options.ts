import { GatewayIntentBits, Partials, type ClientOptions } from 'discord.js';

/**
 * Intents: slash commands need none; replies need guild/DM messages; reactions need the reaction intents.
 * Message Content is privileged (Developer Portal → Bot; Discord's approval above 100 servers), so it is
 * only asked for with MESSAGE_CONTENT=on. Without it Discord still delivers the text of messages that
 * mention the bot and of DMs, so replies that mention the bot and /face refine keep working.
 * Partials let reactions and replies on messages from before a restart (not in the cache) arrive at all.
 */
export function botIntents(messageContent: boolean): GatewayIntentBits[] {
  return [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.GuildMessageReactions,
    GatewayIntentBits.DirectMessages,
    GatewayIntentBits.DirectMessageReactions,
    ...(messageContent ? [GatewayIntentBits.MessageContent] : []),
  ];
}

export const BOT_PARTIALS = [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User];

export interface BotClientSettings {
  /** Ask for the privileged Message Content intent (MESSAGE_CONTENT=on). */
  messageContent: boolean;
}

export function botClientOptions(settings: BotClientSettings, extra: Partial<ClientOptions> = {}): ClientOptions {
  return {
    intents: botIntents(settings.messageContent),
    partials: BOT_PARTIALS,
    allowedMentions: { parse: [], repliedUser: false },
    ...extra,
  };
}
