/**
 * npm run shard: the bot under discord.js's ShardingManager, one child process per shard, each running
 * src/main.ts (which starts the bot: discord.js's Client reads its shard ids from the environment the
 * manager sets, so the bot itself needs no change). Every handler is stateless (button ids carry face ids,
 * message → face look-ups and current faces live in the store), so any shard can answer any event; with
 * several processes, set DATABASE_URL (PostgreSQL) and REDIS_URL (shared rate limit and per-user order) so
 * that they share them. SHARD_COUNT: a number, or `auto` (Discord's recommendation; the default).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShardingManager } from 'discord.js';
import { z } from 'zod';
import { log, oneLine } from '../log.js';
import { tokenProblem } from './token.js';

const Env = z.object({
  DISCORD_TOKEN: z.string().min(1, 'DISCORD_TOKEN must be set: sharding runs the Discord bot'),
  SHARD_COUNT: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(1000)]).default('auto'),
});

export function shardOptions(env: NodeJS.ProcessEnv): { token: string; totalShards: number | 'auto' } {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || 'environment'}: ${issue.message}`);
  }
  const problem = tokenProblem(parsed.data.DISCORD_TOKEN);
  if (problem) throw new Error(problem);
  return { token: parsed.data.DISCORD_TOKEN, totalShards: parsed.data.SHARD_COUNT };
}

async function main(): Promise<number> {
  let options;
  try {
    options = shardOptions(process.env);
  } catch (err) {
    process.stderr.write(`tellaface: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
  const mainFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'main.ts');
  const manager = new ShardingManager(mainFile, { ...options, execArgv: ['--import', 'tsx'], respawn: true });
  manager.on('shardCreate', (shard) => {
    log.info({ shard: shard.id, of: manager.totalShards }, 'shard launched');
    shard.on('death', () => log.warn({ shard: shard.id }, 'shard process ended; the manager respawns it'));
  });
  await manager.spawn();
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (err: unknown) => {
      log.error({ err }, 'sharding failed');
      process.exit(1);
    },
  );
}
