import fs from 'node:fs';
import path from 'node:path';
import { DiskFullError, QueueFullError, RenderTimeoutError, SharedStateUnavailableError, StoreBusyError } from '../conversation/errors.js';
import { parseMixWords } from '../conversation/mix-words.js';
import { describeChange } from '../conversation/summary.js';
import type { ConversationEngine, EngineContext, EngineReply, FourReply } from '../conversation/types.js';
import type { FaceRecord } from '../face/record.js';
import { gridIndex } from '../conversation/grid.js';
import { log } from '../log.js';
import { readLines } from './lines.js';

export interface ChatOptions {
  engine: ConversationEngine;
  input: AsyncIterable<string | Buffer>;
  output: NodeJS.WritableStream;
  /** Where each rendered face is saved as <faceId>.png. */
  outDir: string;
  userId?: string;
  /** How a file is written (default fs.promises.writeFile; tests pass one that fails like a full disk). */
  writeFile?: (file: string, data: Buffer) => Promise<void>;
  /** Show a banner and a prompt (a terminal); off for piped input. */
  interactive?: boolean;
  /** `/new TEXT` draws four faces to pick from, like /four (GRID_DEFAULT=on); default one face. */
  gridDefault?: boolean;
  /** Piped input refines the stored current face too (npm start -- --continue); a terminal always does. */
  continueStoredFace?: boolean;
}

/** How a chat went: what main needs for its exit code (non-zero when any request failed). */
export interface ChatSummary {
  /** Lines handled (blank lines not counted); a failed look-up of the current face at start counts as one too. */
  requests: number;
  /** Requests that failed with an error (the store or the renderer), not those answered with text. */
  failed: number;
}

export const CHAT_HELP = [
  'Type a description to draw a face; later lines refine it ("older", "more smile", "no glasses").',
  'Your current face is kept between runs: in a terminal, the first line after a restart refines it (piped input starts a new face, unless started with -- --continue).',
  'Commands:',
  '  /new TEXT   start a new face from TEXT',
  '  /reroll     same description, another random face',
  '  /undo       back to the previous version',
  '  /explain    what the classifier sees in the face',
  '  /axes       everything you can ask for',
  '  /morph TEXT an animation of the face: "older", "smile", "from young to old", or a face id',
  '  /four TEXT  four faces to pick from, as one picture (<id>-grid.png, numbered 1 2 / 3 4)',
  '  /pick N     face N of the last four becomes your face (1-4)',
  '  /vary N     four faces close to face N of the last four (/vary alone: close to your face)',
  '  /mix FACE [N%]  a new face between yours and FACE (a face id, or 1-4 of the last four): N% of FACE (default 50%)',
  '  /analogy FROM TO [N%]  your face, changed the way TO differs from FROM (N% of the difference, default 100%)',
  '  /photo PATH a face from your photo (PNG, JPEG or WebP with one face); the photo itself is not kept',
  '  /reset      forget the current face (the next line starts a new one)',
  '  /forget     delete everything stored about you (faces, current face)',
  '  /help       this list',
  '  /quit       leave (end of input works too)',
].join('\n');

/**
 * A local chat on the same engine as the bot: one line at a time, each finished (rendered and saved)
 * before the next is read, so piped input works and EOF exits after the last render. Whether a plain line
 * describes or refines is the engine's decision (the user's stored current face), as in the bot.
 */
export async function runChat(options: ChatOptions): Promise<ChatSummary> {
  const { engine, output, outDir } = options;
  const write = options.writeFile ?? ((file: string, data: Buffer) => fs.promises.writeFile(file, data));
  /** PNGs written for the request under way that did not exist before it: removed if the request fails. */
  let writtenNow: string[] = [];

  /** Writes whole or not at all (a temporary file renamed into place); a full disk is a DiskFullError. */
  async function writeWhole(file: string, data: Buffer): Promise<void> {
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      await write(temporary, data);
      await fs.promises.rename(temporary, file);
    } catch (err) {
      await fs.promises.rm(temporary, { force: true }).catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new DiskFullError(outDir, { cause: err });
      throw err;
    }
  }

  const ctx: EngineContext = {
    userId: options.userId ?? 'console',
    // the face's PNG is written before the face is stored: a full disk leaves neither
    beforeStore: async (face, png) => {
      const file = path.join(outDir, `${face.id}.png`);
      const existed = fs.existsSync(file);
      await writeWhole(file, png);
      if (!existed) writtenNow.push(file);
    },
  };
  const say = (line: string) => output.write(`${line}\n`);
  const summary: ChatSummary = { requests: 0, failed: 0 };
  fs.mkdirSync(outDir, { recursive: true });

  /** The face shown last, only to say how the next one differs ("refined, same seed …"). */
  let shown: FaceRecord | undefined;
  /**
   * Whether a plain line refines the stored current face: in a terminal, always (the face carries over a
   * restart); for piped input (a script), only once this run has drawn a face, so a script's first
   * description starts a new face instead of refining whatever an earlier run left (unless it asks to
   * continue: `npm start -- --continue`).
   */
  const continues = options.interactive === true || options.continueStoredFace === true;
  const refinesStoredFace = () => continues || shown !== undefined;

  async function show(reply: EngineReply): Promise<void> {
    if (reply.kind === 'text') {
      say(reply.text);
      return;
    }
    const file = path.join(outDir, `${reply.face.id}.png`);
    if (!writtenNow.includes(file)) await writeWhole(file, reply.png);
    const parts = [reply.caption, describeChange(shown, reply.face)].filter((p) => p !== '');
    if (reply.unknown.length > 0) parts.push(`not understood: ${reply.unknown.map((w) => `"${w}"`).join(', ')}`);
    parts.push(...reply.notes);
    say(file);
    say(`  ${parts.join(' · ')}`);
    shown = reply.face;
  }

  /** The last four faces shown (/four, /vary), in grid order: what /pick N and /vary N name. */
  let grid: FaceRecord[] | undefined;
  /**
   * The last four are also kept in the store, as links from `chat:<user>:grid:<N>` (the bot's message links:
   * /forget deletes them with the faces), so /pick N still works after a restart, as the current face does.
   */
  const gridKey = (n: number) => `chat:${ctx.userId}:grid:${n}`;

  /** A grid of four is saved as <first face id>-grid.png; the current face stays as it was until /pick. */
  async function showFour(reply: FourReply): Promise<void> {
    if (reply.kind === 'text') return void say(reply.text);
    const file = path.join(outDir, `${reply.faces[0]!.id}-grid.png`);
    await writeWhole(file, reply.png);
    grid = reply.faces;
    for (const [i, face] of reply.faces.entries()) await engine.linkMessage(gridKey(i + 1), face.id);
    const parts = [reply.caption, `four faces: ${reply.faces.map((f, i) => `${i + 1} seed ${f.seed}`).join(', ')}`].filter((p) => p !== '');
    if (reply.unknown.length > 0) parts.push(`not understood: ${reply.unknown.map((w) => `"${w}"`).join(', ')}`);
    parts.push(...reply.notes, '/pick N keeps one, /vary N draws four close to it');
    say(file);
    say(`  ${parts.join(' · ')}`);
  }

  /** The id of the face `/pick N` or `/vary N` names in the last grid (this run's, else the stored one), or what to say instead. */
  async function gridFace(command: string, arg: string): Promise<{ id: string } | string> {
    const n = /^\d+$/.test(arg) ? Number(arg) : NaN;
    const index = gridIndex(n);
    const stored = grid ? undefined : await engine.faceForMessage(gridKey(index === undefined ? 1 : index + 1));
    if (!grid && stored === undefined) return `There are no four faces to ${command} from yet: /four TEXT draws four.`;
    if (index === undefined) return `/${command} takes a number from 1 to 4: the faces are numbered 1 2 / 3 4.`;
    return grid ? grid[index]! : { id: stored! };
  }

  async function pickOrVary(command: 'pick' | 'vary', arg: string): Promise<void> {
    if (!engine.pick || !engine.vary) return void say('Picking from four is not available here.');
    if (command === 'vary' && arg === '') return showFour(await engine.vary(ctx));
    const face = await gridFace(command, arg);
    if (typeof face === 'string') return void say(face);
    if (command === 'pick') return show(await engine.pick(ctx, face.id));
    return showFour(await engine.vary(ctx, face.id));
  }

  /** /morph: the animation is saved as <faceId>-morph.webp (-2, -3… for more of one face); the current face stays as it was. */
  async function showMorph(words: string): Promise<void> {
    if (!engine.morph) return void say('Morphs are not available here.');
    const reply = await engine.morph(ctx, words);
    if (reply.kind === 'text') return void say(reply.text);
    let file = path.join(outDir, `${reply.face.id}-morph.webp`);
    for (let n = 2; fs.existsSync(file); n++) file = path.join(outDir, `${reply.face.id}-morph-${n}.webp`);
    await writeWhole(file, reply.webp);
    say(file);
    say(`  ${[`morph: ${reply.caption}`, `${reply.frames} frames`, ...(reply.unknown.length ? [`not understood: ${reply.unknown.map((w) => `"${w}"`).join(', ')}`] : []), ...reply.notes].join(' · ')}`);
  }

  /** A face named in a command: a face id, or 1–4 for a face of the last four (undefined: there are none). */
  async function faceRef(word: string): Promise<string | undefined> {
    if (/^[1-4]$/.test(word)) {
      const face = await gridFace('mix', word);
      return typeof face === 'string' ? undefined : face.id;
    }
    return word;
  }

  /** /mix FACE [N% | words] and /analogy FROM TO [N%]: new faces made from faces, shown like any face. */
  async function combine(command: 'mix' | 'analogy', rest: string): Promise<void> {
    if (!engine.mix || !engine.analogy) return void say('Mixing faces is not available here.');
    const words = rest.trim().split(/\s+/).filter((w) => w !== '');
    const refs = words.filter((w) => !/%$|^\d+(\.\d+)?$/.test(w) || /^[1-4]$/.test(w)).slice(0, command === 'mix' ? 1 : 2);
    const needed = command === 'mix' ? 1 : 2;
    if (refs.length < needed) {
      return void say(command === 'mix'
        ? 'Say which face to mix with yours: /mix FACE [N%], where FACE is a face id or 1-4 of the last four (e.g. /mix 2 30%).'
        : 'Say two faces: /analogy FROM TO [N%] makes your face change the way TO differs from FROM.');
    }
    const { weight } = parseMixWords(words.filter((w) => !refs.includes(w)).join(' '));
    const ids = await Promise.all(refs.map(faceRef));
    if (ids.some((id) => id === undefined)) return void say(`There are no four faces to ${command} from yet: /four TEXT draws four.`);
    if (command === 'mix') return show(await engine.mix(ctx, { otherFaceId: ids[0]!, ...(weight !== undefined ? { weight } : {}) }));
    return show(await engine.analogy(ctx, { fromFaceId: ids[0]!, toFaceId: ids[1]!, ...(weight !== undefined ? { strength: weight } : {}) }));
  }

  /**
   * /photo PATH: the file read here (its bytes only: the engine decides what it is), the face shown like any
   * face; the side-by-side picture (your photo, aligned, beside the face) is saved as <faceId>-photo.png in the
   * out folder, your own machine's; the store keeps only the latent.
   */
  async function photo(rest: string): Promise<void> {
    if (!engine.photo) return void say('Faces from photos are not available here.');
    const file = rest.trim().replace(/^(["'])(.*)\1$/, '$2');
    if (file === '') return void say('Say which photo: /photo PATH (a PNG, JPEG or WebP file with one face).');
    let bytes: Buffer;
    try {
      const stat = await fs.promises.stat(file);
      if (!stat.isFile()) return void say(`${file} is not a file: /photo takes a photo file.`);
      bytes = await fs.promises.readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return void say(code === 'ENOENT' ? `There is no file ${file}.` : `Cannot read ${file} (${code ?? 'error'}).`);
    }
    const reply = await engine.photo(ctx, { bytes, name: path.basename(file) });
    if (reply.kind === 'face') {
      const compare = path.join(outDir, `${reply.face.id}-photo.png`);
      await writeWhole(compare, reply.png);
      writtenNow.push(compare);
      say(compare);
    }
    await show(reply);
  }

  /** Handles one line; false means quit. */
  async function handle(line: string): Promise<boolean> {
    const [, command, rest = ''] = /^\/(\S+)\s*(.*)$/s.exec(line) ?? [];
    switch (command?.toLowerCase()) {
      case undefined:
        await show(await (refinesStoredFace() ? engine.refine(ctx, line) : engine.describe(ctx, line)));
        return true;
      case 'new':
        if (options.gridDefault && engine.describeFour) await showFour(await engine.describeFour(ctx, rest));
        else await show(await engine.describe(ctx, rest));
        return true;
      case 'four':
        if (!engine.describeFour) say('Picking from four is not available here.');
        else await showFour(await engine.describeFour(ctx, rest));
        return true;
      case 'pick':
      case 'vary':
        await pickOrVary(command.toLowerCase() as 'pick' | 'vary', rest.trim());
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
        await show(await engine.reset(ctx));
        shown = undefined;
        return true;
      case 'forget':
        await show(await engine.forget(ctx));
        shown = undefined;
        grid = undefined;
        return true;
      case 'morph':
        await showMorph(rest);
        return true;
      case 'mix':
      case 'analogy':
        await combine(command.toLowerCase() as 'mix' | 'analogy', rest);
        return true;
      case 'photo':
        await photo(rest);
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

  /** An error is said, logged and counted as a failed request; the chat goes on. */
  function failed(err: unknown): void {
    summary.requests += 1;
    summary.failed += 1;
    say(`! ${wordError(err)}`);
    if (!(err instanceof QueueFullError || err instanceof RenderTimeoutError)) log.error({ err }, 'console request failed');
  }

  /** Which face a plain line refines now, said once at start. */
  async function sayCurrentFace(): Promise<void> {
    try {
      const current = await engine.currentFace(ctx);
      if (current) say(`continuing face ${current.face.id} (${current.caption || `seed ${current.face.seed}`}) — /new to start over`);
      shown = current?.face;
    } catch (err) {
      failed(err);
    }
  }

  const prompt = () => {
    if (options.interactive) output.write('> ');
  };
  if (options.interactive) say(`tellaface — faces are saved in ${outDir}. Type /help for commands.`);
  if (continues) await sayCurrentFace();
  prompt();
  for await (const line of readLines(options.input)) {
    const trimmed = line.trim();
    if (trimmed !== '') {
      let keepGoing = true;
      writtenNow = [];
      try {
        keepGoing = await handle(trimmed);
        summary.requests += 1;
      } catch (err) {
        // the request failed before its face was stored: the PNG written for it goes too
        for (const file of writtenNow) await fs.promises.rm(file, { force: true }).catch(() => undefined);
        failed(err);
      }
      if (!keepGoing) break;
    }
    prompt();
  }
  return summary;
}

function wordError(err: unknown): string {
  if (err instanceof QueueFullError || err instanceof RenderTimeoutError || err instanceof StoreBusyError) return err.message;
  if (err instanceof DiskFullError) return err.message;
  if (err instanceof SharedStateUnavailableError) return 'busy right now: the render queue (Redis) cannot be reached, so nothing was done; try again in a moment';
  return `something went wrong: ${err instanceof Error ? err.message : String(err)} (details in the log)`;
}
