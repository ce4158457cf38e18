import { DiscordAPIError, REST, Routes, type RESTOptions } from 'discord.js';
import type { Config } from '../config.js';
import { faceCommandJson } from './commands/index.js';
import { LoginTimeoutError, describeLoginError } from './start-errors.js';
import { bareToken, tokenProblem } from './token.js';

export class DeployError extends Error {
  override name = 'DeployError';
}

export interface DeployResult {
  scope: 'guild' | 'global';
  route: string;
  commands: string[];
}

export type DeployConfig = Pick<Config, 'DISCORD_TOKEN' | 'DISCORD_CLIENT_ID' | 'GUILD_ID'>;

/**
 * Registers `/face` (replacing this app's commands in that scope): in GUILD_ID when set (instant, for
 * development), else globally (can take up to an hour to show). Run it when commands change, not on start.
 */
export async function deployCommands(
  config: DeployConfig,
  options: { rest?: Partial<RESTOptions>; timeoutMs?: number } = {},
): Promise<DeployResult> {
  const problem = tokenProblem(config.DISCORD_TOKEN);
  if (problem || !config.DISCORD_TOKEN) throw new DeployError(problem ?? 'DISCORD_TOKEN is not set');
  if (!config.DISCORD_CLIENT_ID) {
    throw new DeployError('DISCORD_CLIENT_ID is not set: copy the Application ID from Developer Portal → General Information');
  }
  const timeoutMs = options.timeoutMs ?? 15_000;
  const rest = new REST({ timeout: timeoutMs, retries: 1, ...options.rest }).setToken(bareToken(config.DISCORD_TOKEN));
  const route = config.GUILD_ID
    ? Routes.applicationGuildCommands(config.DISCORD_CLIENT_ID, config.GUILD_ID)
    : Routes.applicationCommands(config.DISCORD_CLIENT_ID);
  const body = [faceCommandJson()];
  try {
    await rest.put(route, { body });
  } catch (err) {
    throw new DeployError(describeDeployError(err, config, timeoutMs));
  }
  return { scope: config.GUILD_ID ? 'guild' : 'global', route, commands: body.map((c) => c.name) };
}

function describeDeployError(err: unknown, config: DeployConfig, timeoutMs: number): string {
  if (err instanceof DiscordAPIError) {
    if (err.status === 401) return describeLoginError(err);
    if (err.status === 403 || err.code === 50001) {
      return config.GUILD_ID
        ? `no access to server GUILD_ID=${config.GUILD_ID}: invite the bot there with the "bot applications.commands" scopes (docs/discord-setup.md)`
        : 'Discord refused: does DISCORD_CLIENT_ID belong to this token\'s application?';
    }
    if (err.status === 404 || err.code === 10002) {
      return `Discord does not know application DISCORD_CLIENT_ID=${config.DISCORD_CLIENT_ID}: use the Application ID of the bot's app`;
    }
    if (err.status === 400) return `Discord rejected the command definition: ${err.message.split('\n')[0]}`;
  }
  if (err instanceof Error && err.name === 'AbortError') return describeLoginError(new LoginTimeoutError(timeoutMs));
  return describeLoginError(err).replace('could not log in to Discord', 'could not register the commands');
}
