import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { oneLine } from '../log.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Thrown for a bad command line; the message is one line, ready to print above the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs (strict, no positionals) with errors turned into one-line UsageErrors. */
export function parseFlags<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
}

/**
 * parseFlags for a program with a usage text and a --help flag: a bad command line prints the usage and
 * returns `fail(reason, 2)`, --help prints the usage and returns 0; otherwise the flags.
 */
export function flagsOrExitCode<O extends Options>(
  argv: string[], options: O, usage: string, fail: (message: string, code?: number) => number,
): ReturnType<typeof parseFlags<O>> | number {
  let flags: ReturnType<typeof parseFlags<O>>;
  try {
    flags = parseFlags(argv, options);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${usage}\n`);
    return fail(err.message, 2);
  }
  if ((flags as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return flags;
}

/**
 * The validated settings (src/config.ts) for a command-line tool, so that its defaults (MODELS_DIR,
 * EXECUTION_PROVIDER, TRUNCATION, ...) are the app's. A bad setting prints one line and exits 2.
 */
export function cliConfig(tool: string, env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${tool}: ${oneLine(err.message)}\n`);
    process.exit(2);
  }
}
