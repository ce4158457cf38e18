import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueFullError, RenderTimeoutError, StoreBusyError } from '../src/conversation/errors.js';
import { createEngine } from '../src/conversation/engine.js';
import {
  checkSliders, isSliderEdit, parseStudioRequest, SLIDER_MAX, sliderEditText, slidersOf, studioControls, withSliders,
} from '../src/conversation/studio.js';
import type { ConversationEngine } from '../src/conversation/types.js';
import type { Edit } from '../src/face/record.js';
import { readPngText } from '../src/render/png-label.js';
import { engineModels, loadFaceModels, type FaceModels } from '../src/render/models.js';
import { loadStudioConfig, isLoopback } from '../src/studio/config.js';
import { errorJson, startStudioServer, type StudioServer } from '../src/studio/server.js';
import { FakeStore } from './helpers/fake-store.js';

const USER = 'console';
let models: FaceModels;

beforeAll(async () => {
  models = await loadFaceModels({
    modelsDir: path.resolve('tests/fixtures/models'), provider: 'cpu', renderSize: 64, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000,
  });
});
afterAll(async () => models?.close());

function engineWith(store = new FakeStore()): { engine: ConversationEngine; store: FakeStore } {
  let r = 0.3;
  return { engine: createEngine({ store, ...engineModels(models), random: () => (r = (r + 0.137) % 1), now: () => 1 }), store };
}

interface Answer {
  status: number;
  json: Record<string, unknown> & { kind: string };
}

/** One request to the studio server (raw body and headers may be given to test bad input). */
function request(server: StudioServer, body: unknown, options: { raw?: string; headers?: Record<string, string>; method?: string; path?: string } = {}): Promise<Answer> {
  const url = new URL(options.path ?? '/api/studio', server.url);
  const payload = options.raw ?? JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: options.method ?? 'POST',
      headers: { 'Content-Type': 'application/json', ...options.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 0, json: { kind: 'raw', text } });
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function png(answer: Answer): Buffer {
  const src = String(answer.json.image);
  expect(src.startsWith('data:image/png;base64,')).toBe(true);
  return Buffer.from(src.slice('data:image/png;base64,'.length), 'base64');
}

async function pixels(buffer: Buffer): Promise<Buffer> {
  return sharp(buffer).removeAlpha().raw().toBuffer();
}

function faceId(answer: Answer): string {
  expect(answer.json.kind, JSON.stringify(answer.json).slice(0, 300)).toBe('face');
  return (answer.json.face as { id: string }).id;
}

describe('sliders as one step edit after the seed', () => {
  const words: Edit = { text: 'older', weights: { Young: -1 }, mode: { Young: 'step' }, locks: [] };
  const mixed: Edit = { text: 'mix: 50% this face, 50% face X', weights: {}, mode: {}, locks: ['Male'], made: 'mix' };

  it('goes first (after a mix\'s own edit), is replaced on the next move and goes when all is back to 0', () => {
    const once = withSliders([words], { Smiling: 0.8 }, []);
    expect(once).toHaveLength(2);
    expect(isSliderEdit(once[0]!)).toBe(true);
    expect(once[0]).toMatchObject({ weights: { Smiling: 0.8 }, mode: { Smiling: 'step' }, locks: [] });
    expect(once[1]).toBe(words);
    const twice = withSliders(once, { Smiling: 0.8, Bangs: -0.5 }, ['Eyeglasses']);
    expect(twice).toHaveLength(2);
    expect(twice[0]!.text).toBe('studio sliders: Smiling +0.80, Bangs -0.50; locked: Eyeglasses');
    expect(slidersOf({ edits: twice })).toEqual({ sliders: { Smiling: 0.8, Bangs: -0.5 }, locks: ['Eyeglasses'] });
    expect(withSliders(twice, {}, [])).toEqual([words]);
    const onMix = withSliders([mixed, words], { Smiling: 1 }, []);
    expect(onMix[0]).toBe(mixed);
    expect(isSliderEdit(onMix[1]!)).toBe(true);
    expect(slidersOf({ edits: onMix }).sliders).toEqual({ Smiling: 1 });
    // a reroll of a mix leaves its locks as a lock-only edit in the mix's place: the sliders stay found
    const keep: Edit = { text: 'keep: Male', weights: {}, mode: {}, locks: ['Male'] };
    const rerolled = [keep, ...onMix.slice(1)];
    expect(slidersOf({ edits: rerolled }).sliders).toEqual({ Smiling: 1 });
    expect(withSliders(rerolled, { Smiling: 0.5 }, [])).toHaveLength(3);
  });

  it('is told apart from words that happen to start the same', () => {
    const typed: Edit = { text: 'studio sliders: more smile', weights: { Smiling: 1 }, mode: { Smiling: 'target' }, locks: [] };
    expect(isSliderEdit(typed)).toBe(false);
    expect(slidersOf({ edits: [typed] })).toEqual({ sliders: {}, locks: [] });
    expect(sliderEditText({}, [])).toBe('studio sliders: none');
  });

  it('checks names, ranges, finiteness and locks, in words', () => {
    const { axes } = models;
    const base = { edits: withSliders([], { Smiling: 1 }, ['Smiling']) };
    expect(checkSliders({ sliders: { Smiling: 1, Bangs: 0.333 }, locks: ['Smiling'] }, base, axes)).toEqual({ sliders: { Bangs: 0.35, Smiling: 1 }, locks: ['Smiling'] });
    expect(checkSliders({ sliders: { Smiling: 1, Tail: 1 }, locks: [] }, base, axes)).toMatch(/unknown axis "Tail"/);
    expect(checkSliders({ sliders: { __proto__: 1 } as never, locks: ['Wings'] }, base, axes)).toMatch(/unknown axis "Wings"/);
    expect(checkSliders({ sliders: { Bangs: 2.5 }, locks: [] }, base, axes)).toMatch(/Bangs: 2.5 is out of range: a slider goes from -2 to 2/);
    expect(checkSliders({ sliders: { Bangs: Infinity }, locks: [] }, base, axes)).toMatch(/Bangs: a slider value must be a finite number/);
    expect(checkSliders({ sliders: { Bangs: '1' as unknown as number }, locks: [] }, base, axes)).toMatch(/not "1"/);
    expect(checkSliders({ sliders: { Smiling: 0.5 }, locks: ['Smiling'] }, base, axes)).toBe('Smiling is locked: unlock it before moving it');
    // unlocking and moving at once is a move of an unlocked axis
    expect(checkSliders({ sliders: { Smiling: 0.5 }, locks: [] }, base, axes)).toEqual({ sliders: { Smiling: 0.5 }, locks: [] });
    expect(SLIDER_MAX).toBe(2);
  });

  it('reads requests strictly: unknown actions and fields, bad seeds and ids are named', () => {
    expect(parseStudioRequest({ action: 'open' })).toEqual({ action: 'open' });
    expect(parseStudioRequest(null)).toMatch(/JSON object/);
    expect(parseStudioRequest([])).toMatch(/JSON object/);
    expect(parseStudioRequest({ action: 'paint' })).toMatch(/unknown action "paint": it must be one of open, preview, set, text, seed, reroll, undo/);
    expect(parseStudioRequest({ action: 'set', faceId: 'abc', sliders: {}, slider: 1 })).toMatch(/unknown field "slider" for "set"/);
    expect(parseStudioRequest({ action: 'seed', faceId: 'abc', seed: -1 })).toMatch(/seed must be a whole number from 0 to 4294967295/);
    expect(parseStudioRequest({ action: 'seed', faceId: 'abc', seed: 1.5 })).toMatch(/seed must be a whole number/);
    expect(parseStudioRequest({ action: 'seed', faceId: 'abc', seed: 2 ** 32 })).toMatch(/seed must be a whole number/);
    expect(parseStudioRequest({ action: 'seed', faceId: 'abc', seed: '7' })).toMatch(/seed must be a whole number/);
    expect(parseStudioRequest({ action: 'undo', faceId: '../../etc' })).toMatch(/faceId must be a face id/);
    expect(parseStudioRequest({ action: 'set', faceId: 'abc', sliders: [] })).toMatch(/sliders must be an object/);
    expect(parseStudioRequest({ action: 'text', faceId: 'abc', text: 'x'.repeat(2001) })).toMatch(/longer than 2000/);
  });

  it('groups the controls as the axes help does and marks the weak axes', () => {
    const controls = studioControls(models.axes);
    expect(controls).toMatchObject({ min: -2, max: 2, step: 0.05 });
    const groups = controls.groups.map((g) => g.group);
    for (const g of ['age and gender', 'hair', 'face', 'accessories']) expect(groups).toContain(g);
    const all = controls.groups.flatMap((g) => g.axes);
    expect(all).toHaveLength(models.axes.names().length);
    for (const a of all) expect(a.weak).toBe(models.axes.get(a.name as never)!.controllable === false);
    expect(all.find((a) => a.name === 'Smiling')).toMatchObject({ label: 'smiling', opposite: 'serious' });
  });
});

describe('the studio API (fixture models)', () => {
  let server: StudioServer;
  let store: FakeStore;
  let engine: ConversationEngine;

  beforeAll(async () => {
    ({ engine, store } = engineWith());
    server = await startStudioServer({ engine, userId: USER, host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => server?.close());

  /** What the store holds: nothing may change on a bad request. */
  function snapshot(): string {
    return JSON.stringify({ faces: [...store.faces.keys()].sort(), current: store.current.get(USER) });
  }

  it('serves the page, its script and its style, with a strict content security policy', async () => {
    for (const [file, type] of [['/', 'text/html'], ['/studio.js', 'text/javascript'], ['/studio.css', 'text/css']] as const) {
      const res = await fetch(new URL(file, server.url));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      await res.text();
    }
    expect((await fetch(new URL('/nope', server.url))).status).toBe(404);
    expect((await fetch(new URL('/api/studio', server.url))).status).toBe(405);
  });

  it('a slider: previews are not stored, a release is; undo steps back one release', async () => {
    const opened = await request(server, { action: 'open' });
    expect(opened.status).toBe(200);
    const first = faceId(opened);
    expect(opened.json.stored).toBe(true); // no face yet: a new random seed, stored
    expect(store.current.get(USER)).toBe(first);
    expect(opened.json.controls).toBeDefined();
    expect(opened.json.sliders).toEqual({});
    expect(readPngText(png(opened)).Description).toContain('AI-generated');

    // previews: nothing stored; at 0 it is exactly the picture shown
    const before = snapshot();
    const still = await request(server, { action: 'preview', faceId: first, sliders: {}, locks: [] });
    expect(still.json.kind).toBe('preview');
    expect(await pixels(png(still))).toEqual(await pixels(png(opened)));
    const moved = await request(server, { action: 'preview', faceId: first, sliders: { Smiling: 1.5 }, locks: [] });
    expect(moved.json.kind).toBe('preview');
    expect(await pixels(png(moved))).not.toEqual(await pixels(png(opened)));
    expect(readPngText(png(moved)).Description).toContain('AI-generated');
    expect(snapshot()).toBe(before);

    // the release: a new face, its parent the one before, current
    const released = await request(server, { action: 'set', faceId: first, sliders: { Smiling: 1.5 }, locks: [] });
    const second = faceId(released);
    expect(released.json).toMatchObject({ stored: true, sliders: { Smiling: 1.5 }, locks: [], canUndo: true, said: 'Smiling +1.50' });
    expect(store.faces.get(second)).toMatchObject({ parentId: first, seed: (opened.json.face as { seed: number }).seed, ownerId: USER });
    expect(store.faces.get(second)!.edits[0]).toMatchObject({ weights: { Smiling: 1.5 }, mode: { Smiling: 'step' } });
    expect(store.current.get(USER)).toBe(second);
    expect(await pixels(png(released))).not.toEqual(await pixels(png(opened)));

    // the same sliders again: nothing stored
    const again = await request(server, { action: 'set', faceId: second, sliders: { Smiling: 1.5 }, locks: [] });
    expect(again.json).toMatchObject({ kind: 'text', reason: 'nothing-changed' });
    expect(store.current.get(USER)).toBe(second);

    const undone = await request(server, { action: 'undo', faceId: second });
    expect(faceId(undone)).toBe(first);
    expect(undone.json.sliders).toEqual({});
    expect(store.current.get(USER)).toBe(first);
    expect(await pixels(png(undone))).toEqual(await pixels(png(opened)));
  });

  it('a lock is stored, holds the axis, and a locked axis cannot be moved', async () => {
    const base = faceId(await request(server, { action: 'open' }));
    const locked = await request(server, { action: 'set', faceId: base, sliders: { Bangs: 0.5 }, locks: ['Smiling'] });
    const id = faceId(locked);
    expect(locked.json).toMatchObject({ locks: ['Smiling'], sliders: { Bangs: 0.5 }, said: 'Bangs +0.50, locked Smiling' });
    expect(store.faces.get(id)!.edits[0]!.locks).toEqual(['Smiling']);
    const before = snapshot();
    const refused = await request(server, { action: 'set', faceId: id, sliders: { Bangs: 0.5, Smiling: 1 }, locks: ['Smiling'] });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ kind: 'invalid', error: 'Smiling is locked: unlock it before moving it' });
    expect(snapshot()).toBe(before);
  });

  it('words go through the grammar on top of the sliders; a seed and reroll keep the edits', async () => {
    const base = faceId(await request(server, { action: 'set', faceId: faceId(await request(server, { action: 'open' })), sliders: { Bangs: 1 }, locks: ['Smiling'] }));
    const worded = await request(server, { action: 'text', faceId: base, text: 'much older' });
    const id = faceId(worded);
    expect(worded.json.sliders).toEqual({ Bangs: 1 });
    expect(worded.json.locks).toEqual(['Smiling']);
    const edits = store.faces.get(id)!.edits;
    expect(isSliderEdit(edits[0]!)).toBe(true);
    expect(edits.at(-1)).toMatchObject({ text: 'much older', mode: { Young: 'step' } });
    expect(String(worded.json.caption)).toContain('older');

    const before = snapshot();
    const nonsense = await request(server, { action: 'text', faceId: id, text: 'zzkx qwvv' });
    expect(nonsense.json).toMatchObject({ kind: 'text', reason: 'nothing-understood' });
    expect(String(nonsense.json.text)).toContain('zzkx');
    expect(snapshot()).toBe(before);

    const seeded = await request(server, { action: 'seed', faceId: id, seed: 12345 });
    expect(seeded.json.face).toMatchObject({ seed: 12345, parentId: id });
    expect(store.faces.get(faceId(seeded))!.edits).toEqual(edits);
    const same = await request(server, { action: 'seed', faceId: faceId(seeded), seed: 12345 });
    expect(same.json).toMatchObject({ kind: 'text', reason: 'nothing-changed' });
    const rerolled = await request(server, { action: 'reroll', faceId: faceId(seeded) });
    expect((rerolled.json.face as { seed: number }).seed).not.toBe(12345);
    expect(rerolled.json.sliders).toEqual({ Bangs: 1 });

    // the chat continues the studio's face: the same user, the same store
    const current = await engine.currentFace({ userId: USER });
    expect(current?.face.id).toBe(faceId(rerolled));
    const chat = await engine.refine({ userId: USER }, 'more bangs');
    expect(chat.kind).toBe('face');
    if (chat.kind === 'face') expect(chat.face.edits[0]).toEqual(edits[0]);
  });

  it('bad input gets a clear 400 and stores nothing', async () => {
    const id = faceId(await request(server, { action: 'open' }));
    const before = snapshot();
    const cases: Array<[unknown, RegExp, string?]> = [
      [{ action: 'set', faceId: id, sliders: { Tail: 1 }, locks: [] }, /unknown axis "Tail"/],
      [{ action: 'preview', faceId: id, sliders: { Smiling: 1 }, locks: ['Wings'] }, /unknown axis "Wings"/],
      [{ action: 'set', faceId: id, sliders: { Smiling: 3 }, locks: [] }, /Smiling: 3 is out of range: a slider goes from -2 to 2/],
      [{ action: 'set', faceId: id, sliders: { Smiling: -2.01 }, locks: [] }, /out of range/],
      [undefined, /Smiling: a slider value must be a finite number/, `{"action":"set","faceId":"${id}","sliders":{"Smiling":1e999},"locks":[]}`],
      [{ action: 'set', faceId: id, sliders: { Smiling: 'lots' }, locks: [] }, /Smiling: a slider value must be a finite number .* not "lots"/],
      [{ action: 'set', faceId: id, sliders: { Smiling: null }, locks: [] }, /finite number/],
      [{ action: 'seed', faceId: id, seed: -3 }, /seed must be a whole number from 0 to 4294967295/],
      [{ action: 'seed', faceId: id, seed: 4294967296 }, /seed must be a whole number/],
      [{ action: 'seed', faceId: id, seed: null }, /seed must be a whole number/],
      [{ action: 'set', faceId: id, sliders: {}, locks: [], extra: true }, /unknown field "extra"/],
      [{ action: 'rotate', faceId: id }, /unknown action "rotate"/],
      [{ faceId: id }, /unknown action null/],
      [{ action: 'undo' }, /faceId/],
      [undefined, /not valid JSON/, '{"action": "open"'],
      [undefined, /JSON object/, '"open"'],
    ];
    for (const [body, message, raw] of cases) {
      const answer = await request(server, body, raw === undefined ? {} : { raw });
      expect(answer.status, JSON.stringify(body ?? raw)).toBe(400);
      expect(answer.json.kind).toBe('invalid');
      expect(String(answer.json.error)).toMatch(message);
    }
    const big = await request(server, undefined, { raw: JSON.stringify({ action: 'text', faceId: id, text: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    const form = await request(server, undefined, { raw: 'action=open', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const badAndGone = await request(server, { action: 'set', faceId: 'NoSuchFace12', sliders: { Smiling: 9 }, locks: [] });
    expect(badAndGone.status).toBe(400);
    expect(String(badAndGone.json.error)).toMatch(/out of range/);
    const gone = await request(server, { action: 'set', faceId: 'NoSuchFace12', sliders: { Smiling: 1 }, locks: [] });
    expect(gone.json).toMatchObject({ kind: 'text', reason: 'no-face' });
    expect(snapshot()).toBe(before);
  });

  it('answers only to localhost and to its own page', async () => {
    const rebound = await request(server, { action: 'open' }, { headers: { Host: 'attacker.example:80' } });
    expect(rebound.status).toBe(403);
    const other = await request(server, { action: 'open' }, { headers: { Origin: 'http://attacker.example' } });
    expect(other.status).toBe(403);
    const own = await request(server, { action: 'open' }, { headers: { Origin: server.url.replace(/\/$/, '') } });
    expect(own.status).toBe(200);
  });

  it('the render queue and the store say what happened and that nothing was lost', async () => {
    expect(errorJson(new QueueFullError(64))).toEqual({
      status: 503, body: { kind: 'error', error: 'The render queue is full (64 waiting); try again in a moment. Nothing was lost.', retry: true },
    });
    expect(errorJson(new RenderTimeoutError(20_000)).body.error).toMatch(/^Rendering took longer than 20 s and was given up\. Nothing was lost\.$/);
    expect(errorJson(new StoreBusyError('/tmp/x.db')).body.error).toMatch(/locked by another process/);
    expect(errorJson(new Error('secret internals')).status).toBe(500);
    expect(String(errorJson(new Error('secret internals')).body.error)).not.toContain('secret');

    const full: ConversationEngine = { ...engine, studio: async () => { throw new QueueFullError(2); } };
    const busy = await startStudioServer({ engine: full, userId: USER, host: '127.0.0.1', port: 0 });
    try {
      const answer = await request(busy, { action: 'open' });
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({ kind: 'error', retry: true });
      expect(String(answer.json.error)).toContain('render queue is full');
    } finally {
      await busy.close();
    }
  });
});

describe('studio settings', () => {
  it('binds loopback by default, and the chat\'s user', () => {
    expect(loadStudioConfig({})).toEqual({ STUDIO_HOST: '127.0.0.1', STUDIO_PORT: 8787, STUDIO_USER: 'console', STUDIO_ALLOWED_HOSTS: [] });
    expect(loadStudioConfig({ STUDIO_PORT: '0', STUDIO_HOST: '::1' })).toMatchObject({ STUDIO_PORT: 0, STUDIO_HOST: '::1' });
    expect(() => loadStudioConfig({ STUDIO_PORT: '70000' })).toThrow(/STUDIO_PORT/);
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.2', 'example.com', '']) expect(isLoopback(h)).toBe(false);
  });

  it('the studio\'s web side reaches the store and the renderer only through the engine', () => {
    const source = fs.readFileSync('src/studio/server.ts', 'utf8');
    expect(source).not.toMatch(/from '\.\.\/(store|render)\//);
  });
});
