/** `npm run deploy-commands`: registers /face with Discord. Prints one line; exit code 1 on failure. */
import { ConfigError, loadConfig } from '../config.js';
import { oneLine } from '../log.js';
import { DeployError, deployCommands } from './deploy.js';

async function main(): Promise<number> {
  try {
    const result = await deployCommands(loadConfig());
    const where = result.scope === 'guild' ? 'in server GUILD_ID (shows up at once)' : 'globally (can take up to an hour to show up)';
    process.stdout.write(`registered /${result.commands.join(', /')} ${where}\n`);
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
