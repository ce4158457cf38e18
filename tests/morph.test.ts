import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { ApplicationCommandOptionType } from 'discord.js';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { faceCommandJson } from '../src/bot/commands/index.js';
import { runChat } from '../src/console/chat.js';
import { createEngine } from '../src/conversation/engine.js';
import { interpolateLatent } from '../src/latent/origin.js';
import { encodeAnimation, morphDelays, morphSchedule, splitMorphWords } from '../src/conversation/morph.js';
import type { ConversationEngine, MorphReply } from '../src/conversation/types.js';
import { DIGITAL_SOURCE_TYPE } from '../src/render/png-label.js';
import { engineModels, loadFaceModels, type FaceModels } from '../src/render/models.js';
import { createTestBot, type TestBot } from './helpers/discord-harness.js';
import { gateway, slashPayload } from './helpers/discord-gateway.js';
import { discordIds } from './helpers/discord-ids.js';
import { FakeStore } from './helpers/fake-store.js';

const ctx = { userId: 'u1' };
let models: FaceModels;

beforeAll(async () => {
  models = await loadFaceModels({
    modelsDir: path.resolve('tests/fixtures/models'), provider: 'cpu', renderSize: 256, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000,
  });
});
afterAll(async () => models?.close());

function engineWith(store = new FakeStore()): { engine: ConversationEngine; store: FakeStore } {
  return { engine: createEngine({ store, ...engineModels(models), random: () => 0.25, now: () => 1 }), store };
}

function isWebp(b: Buffer): boolean {
  return b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP';
}

function morphOf(reply: MorphReply): Extract<MorphReply, { kind: 'morph' }> {
  if (reply.kind !== 'morph') throw new Error(`expected a morph, got: ${reply.text}`);
  return reply;
}

describe('morph maths', () => {
  it('plays there and back: 0 → 1 → 0, symmetric, ends held longer', () => {
    const t = morphSchedule(16);
    expect(t).toHaveLength(16);
    expect(t[0]).toBe(0);
    expect(t[8]).toBeCloseTo(1, 12);
    for (let i = 1; i < 16; i++) expect(t[i]).toBeCloseTo(t[16 - i]!, 12);
    const d = morphDelays(16);
    expect(d[0]).toBeGreaterThan(d[1]!);
    expect(d[8]).toBe(d[0]);
  });

  it('interpolates the latent with its length: a morph between two seeds stays on the shell', () => {
    const a = Float32Array.from([3, 0, 0, 0]);
    const b = Float32Array.from([0, 3, 0, 0]);
    const mid = interpolateLatent(a, b, 0.5);
    expect(Math.hypot(...mid)).toBeCloseTo(3, 5);
    expect(Array.from(interpolateLatent(a, b, 0))).toEqual(Array.from(a));
  });

  it('reads "from A to B" as both ends, anything else as where the face goes', () => {
    expect(splitMorphWords('from young to old')).toEqual({ from: 'young', to: 'old' });
    expect(splitMorphWords('older')).toEqual({ to: 'older' });
    expect(splitMorphWords('to Xk3v9QJ2aB1c')).toEqual({ to: 'Xk3v9QJ2aB1c' });
  });

  it('keeps an animation within the byte bound: lower quality, then fewer frames', async () => {
    const noise = (seed: number) => {
      const px = Buffer.alloc(256 * 256 * 3);
      let s = seed;
      for (let i = 0; i < px.length; i++) px[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
      return sharp(px, { raw: { width: 256, height: 256, channels: 3 } }).png().toBuffer();
    };
    const pngs = await Promise.all(Array.from({ length: 8 }, (_, i) => noise(i + 1)));
    const big = await encodeAnimation(pngs, { frames: 8, delays: morphDelays(8), xmp: '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>', maxBytes: 10 * 1024 * 1024 });
    const small = await encodeAnimation(pngs, { frames: 8, delays: morphDelays(8), xmp: '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>', maxBytes: big.webp.length / 3 });
    expect(small.webp.length).toBeLessThan(big.webp.length);
    expect(small.frames).toBeLessThan(8);
    const meta = await sharp(small.webp, { animated: true }).metadata();
    expect(meta.pages).toBe(small.frames);
    expect(meta.delay?.reduce((x, y) => x + y, 0)).toBe(morphDelays(8).reduce((x, y) => x + y, 0)); // same loop length
  });
});

describe('engine.morph (fixture G and F, the real render queue)', () => {
  it('animates the current face along an edit: 16 frames, looping WebP ≤ 1 MB at 256 px, one generator batch, labelled, not stored', async () => {
    const { engine, store } = engineWith();
    const face = await engine.describe(ctx, 'a smiling woman');
    expect(face.kind).toBe('face');
    const facesBefore = store.faces.size;
    const generate = vi.spyOn(models.generator, 'generate');
    const reply = morphOf(await engine.morph!(ctx, 'older'));
    // the two ends are steered by F (G+F passes, batched together); then every frame in one generator run:
    // 16 frames, 9 distinct (ping-pong)
    expect(generate.mock.calls.at(-1)![0]).toHaveLength(9);
    expect(generate.mock.calls.filter((c) => c[0].length === 9)).toHaveLength(1);
    generate.mockRestore();

    expect(isWebp(reply.webp)).toBe(true);
    expect(reply.webp.length).toBeLessThanOrEqual(1024 * 1024);
    const meta = await sharp(reply.webp, { animated: true }).metadata();
    expect(meta).toMatchObject({ format: 'webp', loop: 0, width: 256, pageHeight: 256 });
    // libwebp merges a frame identical to the one before into it (adding its delay); the tiny fixture G
    // draws some frames alike, so count the loop's time rather than its pages
    expect(meta.pages).toBeGreaterThan(2);
    expect(meta.pages).toBeLessThanOrEqual(16);
    expect(meta.delay?.reduce((x, y) => x + y, 0)).toBe(morphDelays(16).reduce((x, y) => x + y, 0));
    expect(meta.xmp?.toString('utf8')).toContain(DIGITAL_SOURCE_TYPE);
    expect(reply.frames).toBe(16);
    expect(reply.caption).toContain('older');
    expect(reply.altText).toMatch(/^AI-generated animation/);
    expect(reply.notes.join(' ')).toContain('not saved as a face');

    // the face moves: not every page is the first one
    const frames = await sharp(reply.webp, { animated: true, pages: -1 }).raw().toBuffer({ resolveWithObject: true });
    const page = 256 * 256 * frames.info.channels;
    const first = frames.data.subarray(0, page);
    const moved = Array.from({ length: meta.pages! }, (_, i) => frames.data.subarray(i * page, (i + 1) * page)).some((p) => !p.equals(first));
    expect(moved).toBe(true);

    expect(store.faces.size).toBe(facesBefore);
    expect((await engine.currentFace(ctx))?.face.id).toBe((face as { face: { id: string } }).face.id);
  });

  it('"from young to old" morphs between the two ends', async () => {
    const { engine } = engineWith();
    await engine.describe(ctx, 'a man');
    const reply = morphOf(await engine.morph!(ctx, 'from young to old'));
    expect(reply.caption).toMatch(/^from .*young.* to .*old/);
    expect(reply.frames).toBe(16);
  });

  it('morphs into another face by its id', async () => {
    const { engine } = engineWith();
    const other = await engine.describe(ctx, 'a woman with glasses');
    await engine.describe(ctx, 'a bald man');
    const id = (other as { face: { id: string } }).face.id;
    const reply = morphOf(await engine.morph!(ctx, id));
    expect(reply.caption).toContain(`into face ${id}`);
    expect((await engine.morph!(ctx, '', { toFaceId: 'nosuchface12' })).kind).toBe('text');
  });

  it('a morph axis that does not exist gets a clear answer naming it; no face gets its own', async () => {
    const { engine } = engineWith();
    const none = await engine.morph!(ctx, 'older');
    expect(none).toMatchObject({ kind: 'text', reason: 'no-face' });
    await engine.describe(ctx, 'a woman');
    const reply = await engine.morph!(ctx, 'flurbleness');
    expect(reply).toMatchObject({ kind: 'text', reason: 'nothing-understood' });
    expect(reply.kind === 'text' && reply.text).toContain('"flurbleness"');
    expect(reply.kind === 'text' && reply.text).toContain('/face axes');
    const half = await engine.morph!(ctx, 'from flurble to old');
    expect(half.kind === 'text' && half.text).toContain('"flurble"');
  });
});

describe('/face morph', () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.client.destroy();
    bot = undefined;
  });

  it('is registered with a required text option', () => {
    const sub = faceCommandJson().options?.find((o) => o.name === 'morph') as { options: { name: string; required?: boolean }[] } | undefined;
    expect(sub?.options[0]).toMatchObject({ name: 'text', required: true });
  });

  it('posts the animated WebP publicly, with alt text saying it is an AI-generated animation', async () => {
    bot = createTestBot();
    const { engine } = engineWith();
    await engine.describe({ userId: discordIds.user }, 'a smiling woman');
    bot.deps.engine.morph = engine.morph;
    const raw = slashPayload('morph', [{ name: 'text', type: ApplicationCommandOptionType.String, value: 'older' }]);
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    expect(bot.rest.requests[0]?.json).toEqual({ type: 5, data: { flags: 0 } });
    const edit = bot.rest.find('PATCH', '/messages/@original').at(-1)!;
    expect(isWebp(edit.files[0]!.bytes)).toBe(true);
    const json = edit.json as { content: string; attachments: { description?: string; filename?: string }[] };
    expect(json.content).toContain('morph:');
    expect(json.attachments[0]?.description).toMatch(/^AI-generated animation of a face of a person who does not exist/);
    expect(edit.files[0]!.name).toMatch(/\.webp$/);
  });

  it('answers an unknown axis privately', async () => {
    bot = createTestBot();
    const { engine } = engineWith();
    await engine.describe({ userId: discordIds.user }, 'a woman');
    bot.deps.engine.morph = engine.morph;
    const raw = slashPayload('morph', [{ name: 'text', type: ApplicationCommandOptionType.String, value: 'flurbleness' }]);
    gateway.interactionCreate(bot.client, raw);
    await bot.idle();
    const said = bot.rest.requests.map((r) => JSON.stringify(r.json)).join('\n');
    expect(said).toContain('no morph axis');
    expect(said).toContain('flurbleness');
    expect(bot.rest.requests.some((r) => r.files.length > 0)).toBe(false);
  });
});

describe('/morph in the chat', () => {
  it('saves out/<id>-morph.webp and keeps the current face', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-morph-'));
    try {
      const { engine } = engineWith();
      let out = '';
      const output = new Writable({ write: (c, _e, done) => { out += String(c); done(); } });
      const summary = await runChat({ engine, input: Readable.from(['a smiling woman\n/morph older\n/morph zzqx\n/morph from young to old\n']), output, outDir: dir, userId: 'console' });
      expect(summary.failed).toBe(0);
      const id = (await engine.currentFace({ userId: 'console' }))!.face.id;
      const file = path.join(dir, `${id}-morph.webp`);
      expect(out).toContain(file);
      expect(isWebp(fs.readFileSync(file))).toBe(true);
      expect(out).toContain('no morph axis "zzqx"');
      expect(isWebp(fs.readFileSync(path.join(dir, `${id}-morph-2.webp`)))).toBe(true); // a second morph of the face keeps the first
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
