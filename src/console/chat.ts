import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { ConversationEngine, EngineContext, EngineReply } from '../conversation/types.js';
import { describeChange } from '../conversation/summary.js';
import type { FaceRecord } from '../latent/face.js';
import { log } from '../log.js';
import { QueueFullError, RenderTimeoutError } from '../render/types.js';

export interface ChatOptions {
  engine: ConversationEngine;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Where each rendered face is saved as <faceId>.png. */
  outDir: string;
  userId?: string;
  /** Show a banner and a prompt (a terminal); off for piped input. */
  interactive?: boolean;
}

export const CHAT_HELP = [
  'Type a description to draw a face; later lines refine it ("older", "more smile", "no glasses").',
  'Commands:',
  '  /new TEXT   start a new face from TEXT',
  '  /reroll     same description, another random face',
  '  /undo       back to the previous version',
  '  /explain    what the classifier sees in the face',
  '  /axes       everything you can ask for',
  '  /reset      forget the current face',
  '  /help       this list',
  '  /quit       leave (end of input works too)',
].join('\n');

/**
 * A local chat on the same engine as the bot: one line at a time, each finished (rendered and saved)
 * before the next is read, so piped input works and EOF exits after the last render.
 */
export async function runChat(options: ChatOptions): Promise<void> {
  const { engine, output, outDir } = options;
  const ctx: EngineContext = { userId: options.userId ?? 'console' };
  const say = (line: string) => output.write(`${line}\n`);
  fs.mkdirSync(outDir, { recursive: true });

  let shown: FaceRecord | undefined;

  async function show(reply: EngineReply): Promise<void> {
    if (reply.kind === 'text') {
      say(reply.text);
      return;
    }
    const file = path.join(outDir, `${reply.face.id}.png`);
    await fs.promises.writeFile(file, reply.png);
    const parts = [reply.caption, describeChange(shown, reply.face)].filter((p) => p !== '');
    if (reply.unknown.length > 0) parts.push(`not understood: ${reply.unknown.map((w) => `"${w}"`).join(', ')}`);
    parts.push(...reply.notes);
    say(file);
    say(`  ${parts.join(' · ')}`);
    shown = reply.face;
  }

  /** Handles one line; false means quit. */
  async function handle(line: string): Promise<boolean> {
    const trimmed = line.trim();
    if (trimmed === '') return true;
    const [, command, rest = ''] = /^\/(\S+)\s*(.*)$/s.exec(trimmed) ?? [];
    switch (command?.toLowerCase()) {
      case undefined:
        await show(shown ? await engine.refine(ctx, trimmed) : await engine.describe(ctx, trimmed));
        return true;
      case 'new':
        await show(await engine.describe(ctx, rest));
        return true;
      case 'reroll':
        await show(await engine.reroll(ctx));
        return true;
      case 'undo':
        await show(await engine.undo(ctx));
        return true;
      case 'explain':
        await show(await engine.explain(ctx));
        return true;
      case 'reset':
        shown = undefined;
        await show(await engine.reset(ctx));
        return true;
      case 'axes':
        say(engine.axesHelp());
        return true;
      case 'help':
        say(CHAT_HELP);
        return true;
      case 'quit':
      case 'exit':
        return false;
      default:
        say(`Unknown command /${command}. Type /help for the list.`);
        return true;
    }
  }

  const rl = readline.createInterface({ input: options.input, terminal: false, crlfDelay: Infinity });
  const prompt = () => {
    if (options.interactive) output.write('> ');
  };
  if (options.interactive) say(`tellaface — faces are saved in ${outDir}. Type /help for commands.`);
  prompt();
  try {
    for await (const line of rl) {
      let keepGoing = true;
      try {
        keepGoing = await handle(line);
      } catch (err) {
        say(`! ${wordError(err)}`);
        if (!(err instanceof QueueFullError || err instanceof RenderTimeoutError)) {
          log.error({ err }, 'console request failed');
        }
      }
      if (!keepGoing) break;
      prompt();
    }
  } finally {
    rl.close();
  }
}

function wordError(err: unknown): string {
  if (err instanceof QueueFullError || err instanceof RenderTimeoutError) return err.message;
  return `something went wrong: ${err instanceof Error ? err.message : String(err)} (details in the log)`;
}
