import { parseArgs, type ParseArgsConfig } from 'node:util';

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
