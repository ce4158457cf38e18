import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const env = { ...process.env, MODELS_DIR: 'tests/fixtures/models', LOG_LEVEL: 'silent' };
const face = (...args: string[]) => spawnSync('node_modules/.bin/tsx', ['src/cli/face.ts', ...args], { encoding: 'utf8', env });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'face-'));

describe('npm run face', () => {
  it('renders seeds S..S+N-1 as DIR/<seed>.png, the same bytes every time', async () => {
    const a = tmp();
    const b = tmp();
    const r = face('--seed', '41', '--count', '3', '--out-dir', a, '--size', '64');
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readdirSync(a).sort()).toEqual(['41.png', '42.png', '43.png']);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    face('--seed', '41', '--count', '3', '--out-dir', b, '--size', '64');
    for (const f of ['41.png', '43.png']) expect(fs.readFileSync(path.join(a, f))).toEqual(fs.readFileSync(path.join(b, f)));
    expect(fs.readFileSync(path.join(a, '41.png'))).not.toEqual(fs.readFileSync(path.join(a, '42.png')));
    const meta = await sharp(path.join(a, '41.png')).metadata();
    expect(meta.width).toBe(64);
  });

  it('applies a description (words or weights) and writes --out', () => {
    const dir = tmp();
    const plain = path.join(dir, 'plain.png');
    const edited = path.join(dir, 'edited.png');
    const words = path.join(dir, 'words.png');
    expect(face('--seed', '7', '--out', plain).status).toBe(0);
    expect(face('Smiling=1,Male=-1', '--seed', '7', '--out', edited).status).toBe(0);
    expect(face('a smiling woman', '--seed', '7', '--out', words).status).toBe(0);
    expect(fs.readFileSync(edited)).not.toEqual(fs.readFileSync(plain));
    expect(fs.readFileSync(words)).not.toEqual(fs.readFileSync(plain));
  });

  it('--truncation pulls the face toward the average one; 1 is the plain face', () => {
    const dir = tmp();
    const [plain, one, typical] = ['plain.png', 'one.png', 'typical.png'].map((f) => path.join(dir, f));
    expect(face('--seed', '7', '--out', plain!).status).toBe(0);
    expect(face('--seed', '7', '--truncation', '1', '--out', one!).status).toBe(0);
    expect(face('--seed', '7', '--truncation', '0.5', '--out', typical!).status).toBe(0);
    expect(fs.readFileSync(one!)).toEqual(fs.readFileSync(plain!));
    expect(fs.readFileSync(typical!)).not.toEqual(fs.readFileSync(plain!));
  });

  it('rejects bad input with a clear message and exit code 2', () => {
    const dir = tmp();
    const cases: Array<[string[], RegExp]> = [
      [['--count', '2', '--out-dir', dir], /--seed is required/],
      [['--seed=-4', '--out-dir', dir], /--seed must be/],
      [['--seed', 'abc', '--out-dir', dir], /--seed must be/],
      [['--seed', '1', '--count', '0', '--out-dir', dir], /--count must be/],
      [['--seed', '1', '--count', '2', '--out', path.join(dir, 'x.png')], /--out names one file/],
      [['zzqxv qqqq', '--seed', '1', '--out-dir', dir], /nothing in .* describes a face/],
      [['Moustachio=1', '--seed', '1', '--out-dir', dir], /unknown attribute "Moustachio"/],
      [['--seed', '1', '--truncation', '5', '--out-dir', dir], /--truncation must be a number in 0.3..1.15/],
      [['--seed', '1', '--truncation', 'typical', '--out-dir', dir], /--truncation must be/],
    ];
    for (const [args, message] of cases) {
      const r = face(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
