/**
 * npm run studio [-- --port N --host H]
 * Serves the studio (sliders, locks, seed, reroll, undo, a text box) on a local web page, on the same
 * engine, models, render queue and face database as the chat. Settings as for `npm start`, plus
 * STUDIO_HOST (default 127.0.0.1), STUDIO_PORT (8787) and STUDIO_USER (console: the chat's user).
 */
import { photoDepsFor } from '../photo/setup.js';
import { flagsOrExitCode } from '../cli/args.js';
import { ConfigError, loadConfig } from '../config.js';
import { createEngine } from '../conversation/engine.js';
import { log, oneLine } from '../log.js';
import { engineModels, loadFaceModels, modelConfigFrom, ModelLoadError } from '../render/models.js';
import { openFaceStore, StoreOpenError } from '../store/open.js';
import { isLoopback, loadStudioConfig } from './config.js';
import { startStudioServer } from './server.js';

const USAGE = `usage: npm run studio [-- --port N --host H]

Serves the studio on http://127.0.0.1:8787/ (STUDIO_PORT, STUDIO_HOST): a slider and a lock per axis,
seed, reroll, undo and a text box, on the faces of STUDIO_USER (default: the chat's). Other settings as for
npm start (MODELS_DIR, DATABASE_PATH, ...; see docs/operating.md).`;

function fail(message: string, code = 1): number {
  process.stderr.write(`tellaface studio: ${oneLine(message)}\n`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExitCode(argv, { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE, fail);
  if (typeof flags === 'number') return flags;
  let config;
  let studio;
  try {
    config = loadConfig();
    studio = loadStudioConfig({
      ...process.env,
      ...(flags.port !== undefined ? { STUDIO_PORT: flags.port } : {}),
      ...(flags.host !== undefined ? { STUDIO_HOST: flags.host } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message, 2);
    throw err;
  }

  let store;
  try {
    store = await openFaceStore(config);
  } catch (err) {
    if (err instanceof StoreOpenError) return fail(err.message);
    throw err;
  }
  let models;
  try {
    models = await loadFaceModels(modelConfigFrom(config));
  } catch (err) {
    await store.close();
    if (err instanceof ModelLoadError) return fail(`${err.message} (MODELS_DIR is ${config.MODELS_DIR})`);
    throw err;
  }
  const photo = await photoDepsFor(models, config);
  const engine = createEngine({ store, ...engineModels(models), truncation: config.TRUNCATION, photo });
  const shutdown = async () => {
    await photo.inverter?.close?.();
    await models.close();
    await store.close();
  };

  let server;
  try {
    server = await startStudioServer({ engine, userId: studio.STUDIO_USER, host: studio.STUDIO_HOST, port: studio.STUDIO_PORT, allowedHosts: studio.STUDIO_ALLOWED_HOSTS, photoMaxBytes: Math.round(config.PHOTO_MAX_MB * 1024 * 1024) });
  } catch (err) {
    await shutdown();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') return fail(`port ${studio.STUDIO_PORT} on ${studio.STUDIO_HOST} is in use: set STUDIO_PORT or pass --port`);
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      return fail(`cannot listen on ${studio.STUDIO_HOST}:${studio.STUDIO_PORT} (${code}): set STUDIO_HOST / STUDIO_PORT`);
    }
    throw err;
  }
  if (!isLoopback(studio.STUDIO_HOST)) {
    log.warn({ host: studio.STUDIO_HOST }, 'the studio has no login: anyone who can reach this address can draw and undo faces as ' + studio.STUDIO_USER);
    log.info({ allowedHosts: studio.STUDIO_ALLOWED_HOSTS }, 'the studio answers to localhost, IP addresses and STUDIO_ALLOWED_HOSTS; any other name in a request\'s Host is refused (DNS rebinding)');
  }
  process.stdout.write(`tellaface studio: ${server.url} (faces of "${studio.STUDIO_USER}"; Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await shutdown();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    log.fatal({ err }, 'tellaface studio stopped');
    process.exit(fail(err instanceof Error ? err.message : String(err)));
  },
);
