import type { ChatInputCommandInteraction, SlashCommandSubcommandBuilder } from 'discord.js';
import type { BotDeps } from '../deps.js';

/** One `/face <name>` subcommand: its option definitions and what it does. */
export interface FaceSubcommand {
  name: string;
  description: string;
  /** Adds the subcommand's options (name and description are set by the registry). */
  options?: (sub: SlashCommandSubcommandBuilder) => SlashCommandSubcommandBuilder;
  execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void>;
}
