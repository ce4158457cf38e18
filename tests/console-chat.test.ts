import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChat } from '../src/console/chat.js';
import { RenderTimeoutError } from '../src/conversation/errors.js';
import { createEngine } from '../src/conversation/engine.js';
import type { ConversationEngine } from '../src/conversation/types.js';
import { FakeEngine } from './helpers/fake-engine.js';
import { makeFace } from './helpers/fake-face.js';
import { FakeRenderer, FakeScorer, makeFakeAxes } from './helpers/fake-render.js';
import { FakeStore } from './helpers/fake-store.js';

let outDir: string;

beforeEach(() => {
  outDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-chat-')), 'faces');
});
afterEach(() => fs.rmSync(path.dirname(outDir), { recursive: true, force: true }));

/**
 * The chat on `input`; `interactive`: as in a terminal (banner, prompts, the stored face carried over a restart);
 * 'continue': piped, but asked to continue the stored face (npm start -- --continue).
 */
async function chat<E extends ConversationEngine>(input: string[] | string, engine: E, interactive: boolean | 'continue' = false) {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  const text = typeof input === 'string' ? input : input.join('\n');
  const summary = await runChat({
    engine, input: Readable.from([text]), output, outDir, interactive: interactive === true, continueStoredFace: interactive === 'continue',
  });
  return { engine, summary, out: Buffer.concat(chunks).toString('utf8') };
}

/** The real engine on an in-memory store that outlives it (a restart: new engine, same store). */
function realEngine(store: FakeStore): ConversationEngine {
  return createEngine({ store, renderer: new FakeRenderer(), scorer: new FakeScorer(), axes: makeFakeAxes(), model: 'm' });
}

describe('console chat', () => {
  it('piped: the first plain line draws a new face, later ones refine it, one at a time, each saved', async () => {
    const { engine, out } = await chat(['a smiling man', 'older zz', '/reroll', '/undo', ''], new FakeEngine());
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
    expect(out).not.toContain('continuing face');
  });

  it('runs the commands', async () => {
    const { engine, out } = await chat(['/new a woman', '/explain', '/axes', '/help', '/reset', 'glasses', '/forget', '/bogus'], new FakeEngine());
    expect(engine.calls).toEqual(['describe:a woman', 'explain', 'axes', 'reset', 'describe:glasses', 'forget']);
    expect(out).toContain('I see: smiling (90%)');
    expect(out).toContain('Expression — smiling');
    expect(out).toContain('/reroll');
    expect(out).toContain('/forget');
    expect(out).toContain('Deleted everything stored about you');
    expect(out).toContain('Unknown command /bogus');
  });

  it('stops reading at /quit', async () => {
    const { engine } = await chat(['smiling', '/quit', 'older'], new FakeEngine());
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

describe('console chat after a restart (issue 13 item 6)', () => {
  it('in a terminal, a plain line refines the stored current face, and the start says which face that is', async () => {
    const store = new FakeStore();
    await chat(['a smiling woman'], realEngine(store));
    const first = store.faces.get(store.current.get('console')!)!;

    const { out } = await chat(['older'], realEngine(store), true);
    const now = store.faces.get(store.current.get('console')!)!;
    expect(now.parentId).toBe(first.id);
    expect(now.seed).toBe(first.seed);
    expect(out.split('\n')[1]).toMatch(new RegExp(`^continuing face ${first.id} \\(.*smil.*\\) — /new to start over$`));
    expect(out).toContain(`refined, same seed ${first.seed}`);
  });

  it('with a current face, a plain line refines it; /new and /reset start over', async () => {
    const start = makeFace({ ownerId: 'console' });
    const engine = new FakeEngine(5, start);
    const { out } = await chat(['older', '/new a man', '/reset', 'smiling'], engine, true);
    expect(out).toContain(`continuing face ${start.id}`);
    expect(out).toContain(`refined, same seed ${start.seed}`);
    expect(engine.calls).toEqual(['refine:older', 'describe:a man', 'reset', 'refine:smiling']);
    expect(out.trim().split('\n').filter((l) => l !== '>').at(-1)).toContain('new face');
  });

  it('piped input (a script) starts a new face with its first line, not a refine of an earlier run\'s face', async () => {
    const store = new FakeStore();
    await chat(['an old man', 'with glasses'], realEngine(store));
    const { out } = await chat(['a smiling woman', 'older'], realEngine(store));
    const now = store.faces.get(store.current.get('console')!)!;
    expect(now.edits.map((e) => e.text)).toEqual(['a smiling woman', 'older']);
    expect(store.faces.get(now.parentId!)!.parentId).toBeNull();
    expect(out).not.toContain('continuing face');
    expect(out).toContain('new face');

    // asked to (npm start -- --continue), a script refines the face the last run left (a step, which always moves
    // the face: a target such as "with glasses" may already be met on the random seed, and then nothing is drawn)
    const { out: continued } = await chat(['younger'], realEngine(store), 'continue');
    const next = store.faces.get(store.current.get('console')!)!;
    expect(next.parentId).toBe(now.id);
    expect(continued.split('\n')[0]).toMatch(new RegExp(`^continuing face ${now.id} `));
  });

  it('/pick N after a restart picks from the four drawn before it (kept in the store, as the current face is)', async () => {
    const store = new FakeStore();
    await chat(['/four smiling'], realEngine(store));
    const four = [...store.faces.values()];
    expect(four).toHaveLength(4);

    const { out } = await chat(['/pick 3'], realEngine(store), true);
    expect(out).not.toContain('There are no four faces');
    expect(store.current.get('console')).toBe(four[2]!.id);

    await chat(['/forget'], realEngine(store));
    const after = await chat(['/pick 1'], realEngine(store));
    expect(after.out).toContain('There are no four faces to pick from yet');
  });

  it('says nothing on start when there is no current face', async () => {
    const { out } = await chat([], realEngine(new FakeStore()));
    expect(out).toBe('');
  });
});

describe('console chat input and outcome (issue 13 item 9)', () => {
  it('a lone carriage return does not split a line: "older\\rsmiling" is one request; CRLF still ends lines', async () => {
    const { engine } = await chat('older\rsmiling\r\nbeard\r\n', new FakeEngine());
    expect(engine.calls).toEqual(['describe:older smiling', 'refine:beard']);
  });

  it('says when a refine changes nothing, and draws no new face', async () => {
    const store = new FakeStore();
    const { out } = await chat(['a smiling woman', 'smiling'], realEngine(store));
    expect(store.faces.size).toBe(1);
    expect(fs.readdirSync(outDir)).toHaveLength(1);
    expect(out).toContain('Nothing changed: the face already is what "smiling" asks for');
    expect(out).not.toContain('refined');
  });

  it('returns how many requests ran and how many failed, for the exit code', async () => {
    const engine = new FakeEngine();
    engine.failNext = new Error('database disk image is malformed');
    const { summary, out } = await chat(['smiling', '', 'older'], engine);
    expect(summary).toEqual({ requests: 2, failed: 1 });
    expect(out).toContain('! something went wrong: database disk image is malformed');
    expect((await chat(['smiling'], new FakeEngine())).summary).toEqual({ requests: 1, failed: 0 });
  });

  it('counts a store that fails on start (reading the current face) as a failed request', async () => {
    const engine = new FakeEngine();
    engine.currentFace = () => Promise.reject(new Error('database is locked'));
    const { summary, out } = await chat(['smiling'], engine, true);
    expect(summary).toEqual({ requests: 2, failed: 1 });
    expect(out).toContain('! something went wrong: database is locked');
  });
});
