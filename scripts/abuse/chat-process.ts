/**
 * The shipped chat (`npm start` without DISCORD_TOKEN: src/main.ts) as a child process, for the abuse probe:
 * lines in, what it printed out, and kill -9. Faces are recognised by the PNG paths it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export class ChatProcess {
  readonly lines: string[] = [];
  readonly faces: string[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(readonly outDir: string, env: Record<string, string>) {
    this.child = spawn('node_modules/.bin/tsx', ['src/main.ts', '--out-dir', outDir], {
      env: { ...process.env, LOG_LEVEL: 'error', ...env, DISCORD_TOKEN: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdin!.on('error', () => undefined); // a killed chat closes its end
    const onLine = (line: string) => {
      this.lines.push(line);
      const face = new RegExp(`^${escape(outDir)}/([\\w-]+)\\.png$`).exec(line);
      if (face) this.faces.push(face[1]!);
      if (!line.startsWith('  ')) for (const w of this.waiters.splice(0)) w();
    };
    readline.createInterface({ input: this.child.stdout! }).on('line', onLine);
    // stderr: the log, and the one line a failed start prints (kept apart: it is not an answer)
    readline.createInterface({ input: this.child.stderr! }).on('line', (l) => this.stderr.push(l));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Sends a line and waits for the next answer (a line that is not a caption), or `timeoutMs`. */
  async ask(line: string, timeoutMs = 120_000): Promise<string | undefined> {
    const before = this.lines.length;
    const answered = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.child.stdin!.write(`${line}\n`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const exited = this.exited.then(() => 'exited' as const);
    const how = await Promise.race([answered.then(() => 'answered' as const), timedOut, exited]);
    clearTimeout(timer);
    return how === 'answered' ? this.lines.slice(before).find((l) => !l.startsWith('  ')) : undefined;
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** The first line it prints (the chat says "continuing face …" at start when there is a current face). */
  async firstLine(timeoutMs: number): Promise<string | undefined> {
    if (this.lines.length > 0) return this.lines[0];
    const got = new Promise<void>((resolve) => this.waiters.push(resolve));
    await Promise.race([got, new Promise((r) => setTimeout(r, timeoutMs)), this.exited]);
    return this.lines[0];
  }

  kill9(): void {
    this.child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    this.child.stdin!.end();
    const code = await Promise.race([this.exited, new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 30_000))]);
    if (code === 'stuck') this.kill9();
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A PNG file that is whole: signature first, IEND last. */
export function wholePng(file: string): boolean {
  try {
    const b = fs.readFileSync(file);
    return b.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])) && b.subarray(-8, -4).toString('latin1') === 'IEND';
  } catch {
    return false;
  }
}

/** Files in `dir` that a killed write left behind (temporary files that were never renamed). */
export function leftovers(dir: string): number {
  try {
    return fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')).length;
  } catch {
    return 0;
  }
}

export const pngOf = (dir: string, id: string) => path.join(dir, `${id}.png`);
