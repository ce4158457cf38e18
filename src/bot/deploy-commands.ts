/** `npm run deploy-commands`: registers /face with Discord. Prints what it did and the invite URL; exit code 1 on failure. */
import { ConfigError, loadConfig } from '../config.js';
import { oneLine } from '../log.js';
import { DeployError, deployCommands } from './deploy.js';
import { inviteUrl } from './invite.js';

async function main(): Promise<number> {
  try {
    const config = loadConfig();
    const result = await deployCommands(config);
    const where = result.scope === 'guild' ? 'in server GUILD_ID (shows up at once)' : 'globally (can take up to an hour to show up)';
    process.stdout.write(`registered /${result.commands.join(', /')} ${where}\n`);
    if (config.DISCORD_CLIENT_ID) process.stdout.write(`invite the bot with: ${inviteUrl(config.DISCORD_CLIENT_ID)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof DeployError || err instanceof ConfigError) {
      process.stderr.write(`deploy-commands: ${oneLine(err.message)}\n`);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`deploy-commands: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    process.exit(1);
  },
);
