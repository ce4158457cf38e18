/** The parse CLI: one JSON object per description on stdout, and nothing else there. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function runCli(args: string[], input?: string): { lines: string[]; status: number | null; stderr: string } {
  const r = spawnSync('npx', ['tsx', 'src/cli/parse.ts', ...args], {
    cwd: ROOT,
    input: input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = r.stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return { lines, status: r.status, stderr: r.stderr };
}

interface CliResult {
  weights: Record<string, number>;
  mode: Record<string, string>;
  locks: string[];
  unknown: string[];
  notes: string[];
}

describe('parse CLI', () => {
  it('parses its argument into one JSON object with the five keys, in order', () => {
    const { lines, status } = runCli(['older man, smiling, more beard, receding hairline']);
    expect(status).toBe(0);
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0] as string) as CliResult;
    expect(Object.keys(out)).toEqual(['weights', 'mode', 'locks', 'unknown', 'notes']);
    expect(out.weights.Young).toBeLessThan(0);
    expect(out.mode.Young).toBe('step');
    expect(out.weights.Male).toBe(1);
    expect(out.weights.Smiling).toBeGreaterThan(0);
    expect(out.weights.No_Beard).toBeLessThan(0);
    expect(out.weights.Receding_Hairline).toBeGreaterThan(0);
  });

  it('joins several arguments and handles unicode and emoji', () => {
    const { lines, status } = runCli(['a', 'woman', 'with', 'glasses', '😀', 'ünknöwn']);
    expect(status).toBe(0);
    const out = JSON.parse(lines[0] as string) as CliResult;
    expect(out.weights).toMatchObject({ Male: -1, Eyeglasses: 1, Smiling: 1 });
    expect(out.unknown).toEqual(['ünknöwn']);
  });

  it('reads stdin line by line: one JSON line per input line, empty line -> empty result', () => {
    const { lines, status } = runCli([], 'no glasses\n\nkeep the gender\r\nan 80 year old man');
    expect(status).toBe(0);
    expect(lines).toHaveLength(4);
    const [a, b, c, d] = lines.map((l) => JSON.parse(l) as CliResult);
    expect(a?.weights).toEqual({ Eyeglasses: -1 });
    expect(b).toEqual({ weights: {}, mode: {}, locks: [], unknown: [], notes: [] });
    expect(c?.locks).toEqual(['Male']);
    expect(d?.weights.Young).toBe(-2);
  });

  it('prints nothing else on stdout for empty stdin', () => {
    const { lines, status } = runCli([], '');
    expect(status).toBe(0);
    expect(lines).toEqual([]);
  });
});
