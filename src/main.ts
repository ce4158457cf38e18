import { runChat } from './console/chat.js';
import { flagsOrExitCode } from './cli/args.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createEngine } from './conversation/engine.js';
import { log, oneLine } from './log.js';
import { engineModels, loadFaceModels, modelConfigFrom, ModelLoadError } from './render/models.js';
import type { RemoteRenderer } from './render/remote-renderer.js';
import type { SharedState } from './shared-state/index.js';
import { openFaceStore, StoreOpenError } from './store/open.js';
import { photoDepsFor } from './photo/setup.js';

const USAGE = `usage: npm start [-- --out-dir DIR] [-- --continue]

With DISCORD_TOKEN set, runs the Discord bot. Without it, opens a local chat on stdin/stdout and saves
each face as DIR/<faceId>.png (default OUT_DIR, else ./out). In a terminal the first line refines the face
you left last time; piped input starts a new face unless --continue is given. Settings come from the environment (docs/operating.md).`;

/** One line on stderr for a failure the user can fix; the exit code says it failed. */
function fail(message: string, code = 1): number {
  process.stderr.write(`tellaface: ${oneLine(message)}\n`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExitCode(argv, { 'out-dir': { type: 'string' }, continue: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE, fail);
  if (typeof flags === 'number') return flags;

  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }

  // the local chat's output is the conversation: no log line below a warning unless LOG_LEVEL asks for one
  if (!config.DISCORD_TOKEN && process.env.LOG_LEVEL === undefined) log.level = 'warn';

  if (config.DISCORD_TOKEN) {
    // an obviously malformed token fails here, in a second, before the models load
    const { tokenProblem } = await import('./bot/token.js');
    const problem = tokenProblem(config.DISCORD_TOKEN);
    if (problem) return fail(problem);
  }

  // REDIS_URL: the bot's processes share the per-user rate limit and one-at-a-time rule (else in memory)
  let shared: SharedState | undefined;
  if (config.DISCORD_TOKEN && config.REDIS_URL) {
    const { openSharedState, SharedStateOpenError } = await import('./shared-state/index.js');
    try {
      shared = await openSharedState({ url: config.REDIS_URL, perMinute: config.RATE_LIMIT_PER_MINUTE, log: log.child({ component: 'redis' }) });
    } catch (err) {
      if (err instanceof SharedStateOpenError) return fail(err.message);
      throw err;
    }
  } else if (config.REDIS_URL) {
    log.info(config.RENDER_WORKERS === 'redis'
      ? 'the local chat keeps its per-user order in memory; its renders go to the render workers (RENDER_WORKERS=redis)'
      : 'REDIS_URL is only used by the Discord bot: the local chat keeps its per-user order in memory');
  }

  let store;
  try {
    store = await openFaceStore(config);
  } catch (err) {
    await shared?.close();
    if (err instanceof StoreOpenError) return fail(err.message);
    throw err;
  }

  let models;
  try {
    models = await loadFaceModels(modelConfigFrom(config));
  } catch (err) {
    await store.close();
    await shared?.close();
    if (err instanceof ModelLoadError) return fail(`${err.message} (MODELS_DIR is ${config.MODELS_DIR})`);
    throw err;
  }

  // RENDER_WORKERS=redis: the final renders are jobs for `npm run render-worker` processes; the steering
  // passes (F's reading) and explain's runInLine stay on this process's own G and F
  let remote: RemoteRenderer | undefined;
  if (config.RENDER_WORKERS === 'redis' && config.REDIS_URL) {
    const { RemoteRenderer, remoteRendererOptionsFrom } = await import('./render/remote-renderer.js');
    const { SharedStateOpenError } = await import('./shared-state/errors.js');
    try {
      remote = await RemoteRenderer.open(remoteRendererOptionsFrom(config, config.REDIS_URL, models, log));
    } catch (err) {
      await models.close();
      await store.close();
      await shared?.close();
      if (err instanceof SharedStateOpenError) return fail(err.message);
      throw err;
    }
    log.info('RENDER_WORKERS=redis: renders are drawn by the render workers (npm run render-worker)');
  }

  const renderer = remote ?? models.renderer;
  // faces from photos (/face photo, /photo PATH): the encoder beside G and F, or why there is none
  const photo = await photoDepsFor(models, config);
  const engine = createEngine({ store, ...engineModels(models), renderer, truncation: config.TRUNCATION, userLock: shared?.userLock, photo });
  const shutdown = async () => {
    await photo.inverter?.close?.();
    await remote?.close();
    await models.close();
    await store.close();
    await shared?.close();
  };

  if (config.DISCORD_TOKEN) {
    const { startBot, BotStartError } = await import('./bot/start.js');
    let bot;
    try {
      bot = await startBot(config, engine, shared ? { limiter: shared.limiter } : {});
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
      outDir: flags['out-dir'] ?? config.OUT_DIR,
      interactive: process.stdin.isTTY === true,
      gridDefault: config.GRID_DEFAULT === 'on',
      continueStoredFace: flags.continue === true,
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
