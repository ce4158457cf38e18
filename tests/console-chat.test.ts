import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChat } from '../src/console/chat.js';
import { RenderTimeoutError } from '../src/render/types.js';
import { FakeEngine } from './helpers/fake-engine.js';

let outDir: string;

beforeEach(() => {
  outDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-chat-')), 'faces');
});
afterEach(() => fs.rmSync(path.dirname(outDir), { recursive: true, force: true }));

async function chat(lines: string[], engine = new FakeEngine()): Promise<{ engine: FakeEngine; out: string }> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  await runChat({ engine, input: Readable.from([lines.join('\n')]), output, outDir });
  return { engine, out: Buffer.concat(chunks).toString('utf8') };
}

describe('console chat', () => {
  it('describes with the first line, refines with the next, one at a time, and saves each face', async () => {
    const { engine, out } = await chat(['a smiling man', 'older zz', '/reroll', '/undo', '']);
    expect(engine.calls).toEqual(['describe:a smiling man', 'refine:older zz', 'reroll', 'undo']);
    expect(engine.maxInFlight).toBe(1);
    for (const id of ['f1', 'f2', 'f3']) {
      const file = path.join(outDir, `${id}.png`);
      expect(fs.readFileSync(file, 'utf8')).toBe(`png of ${id}`);
      expect(out).toContain(`${file}\n`);
    }
    expect(out).toContain('new face, seed 100');
    expect(out).toContain('refined, same seed 100');
    expect(out).toContain('not understood: "zz"');
    expect(out).toContain('rerolled: seed 100 → 902');
    expect(out).toContain('nothing to undo');
    expect(out).not.toContain('> ');
  });

  it('runs the commands', async () => {
    const { engine, out } = await chat(['/new a woman', '/explain', '/axes', '/help', '/reset', 'glasses', '/bogus']);
    expect(engine.calls).toEqual(['describe:a woman', 'explain', 'axes', 'reset', 'describe:glasses']);
    expect(out).toContain('I see: smiling (90%)');
    expect(out).toContain('Expression — smiling');
    expect(out).toContain('/reroll');
    expect(out).toContain('Unknown command /bogus');
  });

  it('stops reading at /quit', async () => {
    const { engine } = await chat(['smiling', '/quit', 'older']);
    expect(engine.calls).toEqual(['describe:smiling']);
  });

  it('reports a render error and carries on with the next line', async () => {
    const engine = new FakeEngine();
    engine.failNext = new RenderTimeoutError(20_000);
    const { out } = await chat(['smiling', 'smiling again'], engine);
    expect(out).toContain('! rendering took longer than 20 s');
    expect(engine.calls).toEqual(['describe:smiling', 'describe:smiling again']);
    expect(fs.existsSync(path.join(outDir, 'f1.png'))).toBe(true);
  });
});
