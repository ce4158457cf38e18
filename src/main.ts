import { runChat } from './console/chat.js';
import { UsageError, parseFlags } from './cli/args.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createEngine } from './conversation/engine.js';
import { log, oneLine } from './log.js';
import { engineModels, loadFaceModels, ModelLoadError } from './render/models.js';
import { openSqliteStore, StoreOpenError } from './store/sqlite-store.js';

const USAGE = `usage: npm start [-- --out-dir DIR]

With DISCORD_TOKEN set, runs the Discord bot. Without it, opens a local chat on stdin/stdout and saves
each face as DIR/<faceId>.png (default ./out). Settings come from the environment (see README).`;

/** One line on stderr for a failure the user can fix; the exit code says it failed. */
function fail(message: string, code = 1): number {
  process.stderr.write(`tellaface: ${oneLine(message)}\n`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv, { 'out-dir': { type: 'string', default: 'out' }, help: { type: 'boolean', short: 'h' } });
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${USAGE}\n`);
      return fail(err.message, 2);
    }
    throw err;
  }
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }

  if (config.DISCORD_TOKEN) {
    // an obviously malformed token fails here, in a second, before the models load
    const { tokenProblem } = await import('./bot/token.js');
    const problem = tokenProblem(config.DISCORD_TOKEN);
    if (problem) return fail(problem);
  }

  let store;
  try {
    store = openSqliteStore(config.DATABASE_PATH);
  } catch (err) {
    if (err instanceof StoreOpenError) return fail(err.message);
    throw err;
  }

  let models;
  try {
    models = await loadFaceModels({
      modelsDir: config.MODELS_DIR,
      provider: config.EXECUTION_PROVIDER,
      renderSize: config.RENDER_SIZE,
      queueCapacity: config.QUEUE_CAPACITY,
      maxBatch: config.MAX_BATCH,
      timeoutMs: config.RENDER_TIMEOUT_MS,
    });
  } catch (err) {
    await store.close();
    if (err instanceof ModelLoadError) return fail(`${err.message} (MODELS_DIR is ${config.MODELS_DIR})`);
    throw err;
  }

  const engine = createEngine({ store, ...engineModels(models), truncation: config.TRUNCATION });
  const shutdown = async () => {
    await models.close();
    await store.close();
  };

  if (config.DISCORD_TOKEN) {
    const { startBot, BotStartError } = await import('./bot/start.js');
    let bot;
    try {
      bot = await startBot(config, engine);
    } catch (err) {
      await shutdown();
      if (err instanceof BotStartError) return fail(err.message);
      throw err;
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    log.info('shutting down');
    await bot.stop();
    await shutdown();
    return 0;
  }

  let summary;
  try {
    summary = await runChat({
      engine,
      input: process.stdin,
      output: process.stdout,
      outDir: flags['out-dir'] ?? 'out',
      interactive: process.stdin.isTTY === true,
      gridDefault: config.GRID_DEFAULT === 'on',
    });
  } finally {
    await shutdown();
  }
  // a script piping lines in learns from the exit code that some were not answered with a face or a reply
  if (summary.failed > 0) return fail(`${summary.failed} of ${summary.requests} requests failed (see the messages above)`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    log.fatal({ err }, 'tellaface stopped');
    process.exit(fail(err instanceof Error ? err.message : String(err)));
  },
);
