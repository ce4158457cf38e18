import { PermissionFlagsBits } from 'discord.js';

/**
 * What the bot needs in a channel, as docs/discord-setup.md lists them: see and answer (threads too), post the
 * face PNG, the /face axes embed, read older messages (replies and reactions on them), react, slash commands.
 */
export const BOT_PERMISSIONS = [
  'ViewChannel', 'SendMessages', 'SendMessagesInThreads', 'AttachFiles', 'EmbedLinks', 'ReadMessageHistory', 'AddReactions',
  'UseApplicationCommands',
] as const satisfies ReadonlyArray<keyof typeof PermissionFlagsBits>;

/** The permissions as the number Discord's invite URL takes (`permissions=`). */
export function botPermissionBits(): string {
  return BOT_PERMISSIONS.reduce((bits, name) => bits | PermissionFlagsBits[name], 0n).toString();
}

/** The URL that invites the bot to a server, with the scopes and permissions it needs. */
export function inviteUrl(clientId: string): string {
  return `https://discord.com/oauth2/authorize?client_id=${clientId}&scope=bot%20applications.commands&permissions=${botPermissionBits()}`;
}
