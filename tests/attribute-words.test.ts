/**
 * An added attribute asked for in words: the grammar reads its phrases from the words file (here a temporary
 * one, through ADDED_ATTRIBUTES_FILE), and the engine that the chat and the Discord bot share steers the face
 * with its probe. The fixture attribute is added first (tests/attribute-fixture.ts); the modules that read
 * the words file are then loaded afresh, as a process started after `npm run attribute -- add` would.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const tmp = vi.hoisted(() => {
  // before any module of src/ loads (they read the words file once); the folder is made in beforeAll
  const dir = `${process.env.TMPDIR ?? '/tmp'}/tellaface-words-${process.pid}-${Date.now()}`;
  process.env.ADDED_ATTRIBUTES_FILE = `${dir}/added.json`;
  return dir;
});

type Grammar = typeof import('../src/grammar/index.js');
let grammar: Grammar;
let models: import('../src/render/models.js').FaceModels;
let modelsDir: string;
const NAME = 'Zorbly';

beforeAll(async () => {
  fs.mkdirSync(tmp, { recursive: true });
  const { makeAddedModels } = await import('./attribute-fixture.js');
  ({ models: modelsDir } = await makeAddedModels(tmp));
  vi.resetModules(); // load the grammar and the engine as a fresh process would, with the words just written
  grammar = await import('../src/grammar/index.js');
  const { loadFaceModels } = await import('../src/render/models.js');
  models = await loadFaceModels({ modelsDir, provider: 'cpu', renderSize: 64, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000 });
});
afterAll(async () => {
  delete process.env.ADDED_ATTRIBUTES_FILE;
  await models?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the grammar reads the added words', () => {
  it('as a target, a step, a negation and with degrees, like any feature', () => {
    const p = grammar.parseDescription;
    expect(p('a zorbly woman')).toMatchObject({ weights: { [NAME]: 1, Male: -1 }, mode: { [NAME]: 'target' }, unknown: [] });
    expect(p('with a zorbly look')).toMatchObject({ weights: { [NAME]: 1 }, unknown: [] });
    expect(p('more zorbly')).toMatchObject({ mode: { [NAME]: 'step' } });
    expect((p('more zorbly').weights as Record<string, number>)[NAME]).toBeGreaterThan(0);
    expect((p('no zorbly').weights as Record<string, number>)[NAME]).toBeLessThan(0);
    expect((p('a bit zorbly').weights as Record<string, number>)[NAME]).toBeCloseTo(0.5);
    expect(grammar.captionFor(p('very zorbly, smiling'))).toBe('very zorbly, smiling');
    expect(grammar.captionFor(p('no zorbly'))).toBe('no zorbly');
  });

  it('lists it in its own group for the help, apart from the 40', () => {
    expect(grammar.addedAxisGroup()).toEqual({ group: 'your own', attributes: [{ name: NAME, label: 'zorbly', opposite: 'no zorbly', examples: ['zorbly', 'zorbly look'] }] });
    expect(grammar.axisGroups().flatMap((g) => g.attributes)).toHaveLength(40);
  });
});

describe('the engine (the chat and the Discord bot) draws it', () => {
  it('steers the face with the probe: asked for, the probe reads it more; asked away, less', async () => {
    const { createEngine, faceLatentFor } = await import('../src/conversation/engine.js');
    const { engineModels } = await import('../src/render/models.js');
    const { FakeStore } = await import('./helpers/fake-store.js');
    const { readingLogit } = await import('../src/latent/steer.js');
    const engine = createEngine({ store: new FakeStore(), ...engineModels(models), random: () => 0.42, now: () => 1 });
    const probeOf = async (face: Parameters<typeof faceLatentFor>[0]) => {
      const { z } = await faceLatentFor(face, models.axes, models.scorer);
      return readingLogit((await models.scorer.read([z]))[0]!, NAME as never)!;
    };
    const drawn = await engine.describe({ userId: 'u' }, 'a zorbly face');
    if (drawn.kind !== 'face') throw new Error(drawn.text);
    expect(drawn.face.edits[0]!.weights).toEqual({ [NAME]: 1 });
    expect(drawn.caption).toBe('zorbly');
    const plain = await probeOf({ ...drawn.face, edits: [] });
    const more = await probeOf(drawn.face);
    expect(more).toBeGreaterThan(plain);
    expect(more).toBeGreaterThan(1.5); // the closed loop's level for a target: p >= 0.82
    const less = await engine.refine({ userId: 'u' }, 'no zorbly');
    if (less.kind !== 'face') throw new Error(less.text);
    expect(await probeOf(less.face)).toBeLessThan(-1.5);
  });

  it('in the local chat, from words typed', async () => {
    const { runChat } = await import('../src/console/chat.js');
    const { createEngine } = await import('../src/conversation/engine.js');
    const { engineModels } = await import('../src/render/models.js');
    const { FakeStore } = await import('./helpers/fake-store.js');
    const store = new FakeStore();
    const engine = createEngine({ store, ...engineModels(models), random: () => 0.42, now: () => 1 });
    let out = '';
    const output = new Writable({ write: (chunk, _enc, done) => { out += String(chunk); done(); } });
    const summary = await runChat({ engine, input: Readable.from(['a zorbly man\nless zorbly\n']), output, outDir: path.join(tmp, 'out'), userId: 'console' });
    expect(summary.failed).toBe(0);
    expect(out).toMatch(/zorbly/);
    const faces = [...store.faces.values()];
    expect(faces.map((f) => f.edits.at(-1)!.weights)).toEqual([{ [NAME]: 1, Male: 1 }, { [NAME]: expect.any(Number) }]);
    expect((faces[1]!.edits.at(-1)!.weights as Record<string, number>)[NAME]).toBeLessThan(0);
  });
});

describe('/axes (the chat) and /face axes list it', () => {
  it('in its own group, with the words that ask for it, as the studio shows it', async () => {
    const { createEngine } = await import('../src/conversation/engine.js');
    const { engineModels } = await import('../src/render/models.js');
    const { FakeStore } = await import('./helpers/fake-store.js');
    const engine = createEngine({ store: new FakeStore(), ...engineModels(models) });
    const help = engine.axesHelp().split('\n');
    expect(help.find((l) => l.startsWith('your own — '))).toMatch(/^your own — no zorbly ↔ zorbly.*"zorbly look"/);
  });
});

describe('npm run parse reads the words file too', () => {
  it('from ADDED_ATTRIBUTES_FILE', () => {
    const r = spawnSync(path.resolve('node_modules/.bin/tsx'), ['src/cli/parse.ts', 'a zorbly face'], { encoding: 'utf8', env: { ...process.env } });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).weights).toEqual({ [NAME]: 1 });
  });
});
