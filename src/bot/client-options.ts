import { GatewayIntentBits, Partials, type ClientOptions } from 'discord.js';

/**
 * Intents: slash commands need none; replies need guild/DM messages plus the privileged Message Content
 * intent (enable it in the Developer Portal → Bot); reactions need the reaction intents.
 * Partials let reactions and replies on messages from before a restart (not in the cache) arrive at all.
 */
export const BOT_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.DirectMessageReactions,
  GatewayIntentBits.MessageContent,
];

export const BOT_PARTIALS = [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User];

export function botClientOptions(extra: Partial<ClientOptions> = {}): ClientOptions {
  return {
    intents: BOT_INTENTS,
    partials: BOT_PARTIALS,
    allowedMentions: { parse: [], repliedUser: false },
    ...extra,
  };
}
