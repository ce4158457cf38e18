import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { ApplicationCommandOptionType } from 'discord.js';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BotDeps } from '../src/bot/deps.js';
import { SlidingWindowLimiter } from '../src/bot/rate-limit.js';
import { attachHandlers } from '../src/bot/wire.js';
import { faceCommandJson } from '../src/bot/commands/index.js';
import { MAX_CUSTOM_ID, parseFaceButtonId } from '../src/bot/custom-ids.js';
import { loadConfig } from '../src/config.js';
import { runChat } from '../src/console/chat.js';
import { createEngine } from '../src/conversation/engine.js';
import { composeGrid, gridIndex, VARY_STEP } from '../src/conversation/grid.js';
import type { ConversationEngine, EngineContext, EngineReply, FourReply, GridReply } from '../src/conversation/types.js';
import type { AxisSet } from '../src/latent/axes.js';
import { faceLatent } from '../src/latent/edit.js';
import { seedLatent } from '../src/latent/jitter.js';
import { seedToLatent } from '../src/latent/seed.js';
import type { ImageBatch } from '../src/render/generator.js';
import { readPngText } from '../src/render/png-label.js';
import { RenderQueue } from '../src/render/queue.js';
import type { FaceRenderer } from '../src/render/types.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { memoryLogger } from './helpers/discord-harness.js';
import { buttonPayload, createOfflineClient, gateway, slashPayload } from './helpers/discord-gateway.js';
import { discordIds } from './helpers/discord-ids.js';
import { isPng, RestCapture } from './helpers/discord-rest.js';
import { FakeRenderer, FakeScorer, FAKE_Z_DIM, makeFakeAxes } from './helpers/fake-render.js';
import { FakeStore } from './helpers/fake-store.js';

const alice: EngineContext = { userId: 'alice' };
const bob: EngineContext = { userId: 'bob' };
let store: FakeStore;
let renderer: FakeRenderer;
let axes: AxisSet;
let engine: ConversationEngine;

function engineOn(r: FaceRenderer): ConversationEngine {
  return createEngine({ store, renderer: r, scorer: new FakeScorer({ Smiling: 0.9 }), axes, model: 'm', now: () => 42 });
}

function gridOf(reply: FourReply): GridReply {
  if (reply.kind !== 'grid') throw new Error(`expected a grid, got text: ${reply.text}`);
  return reply;
}

function faceOf(reply: EngineReply): Extract<EngineReply, { kind: 'face' }> {
  if (reply.kind !== 'face') throw new Error(`expected a face, got text: ${reply.text}`);
  return reply;
}

const cos = (a: Float32Array, b: Float32Array) => {
  let ab = 0, aa = 0, bb = 0;
  a.forEach((x, i) => {
    ab += x * b[i]!;
    aa += x * x;
    bb += b[i]! * b[i]!;
  });
  return ab / Math.sqrt(aa * bb);
};

beforeEach(() => {
  store = new FakeStore();
  renderer = new FakeRenderer();
  axes = makeFakeAxes();
  engine = engineOn(renderer);
});

describe('engine: pick from four', () => {
  it('draws four new seeds with the same edits as one labelled 2×2 PNG, saves them and leaves the current face alone', async () => {
    const before = faceOf(await engine.describe(alice, 'a man'));
    const grid = gridOf(await engine.describeFour!(alice, 'smiling, with glasses'));
    expect(grid.faces).toHaveLength(4);
    expect(new Set(grid.faces.map((f) => f.seed)).size).toBe(4);
    for (const face of grid.faces) {
      expect(face).toMatchObject({ ownerId: 'alice', parentId: null, model: 'm', truncation: 1 });
      expect(face.edits).toEqual(grid.faces[0]!.edits);
      expect(face.edits[0]?.text).toBe('smiling, with glasses');
      expect(await store.getFace(face.id)).toEqual(face);
    }
    expect(await store.getCurrentFaceId('alice')).toBe(before.face.id);
    expect(renderer.calls.slice(-4)).toEqual(grid.faces.map((f) => faceLatent(f, axes)));
    expect(grid.caption).toContain('smiling');
    const meta = await sharp(grid.png).metadata();
    expect(meta.width).toBe(meta.height);
    const label = readPngText(grid.png);
    expect(label.Description).toContain('AI-generated');
    expect(label.Description).toContain('four faces to pick from');
    expect(label.Comment).toContain('trainedAlgorithmicMedia');
    expect(grid.altText).toMatch(/^AI-generated face/);
  });

  it('with a seed, draws seed … seed+3; bad words and seeds answer with text', async () => {
    expect(gridOf(await engine.describeFour!(alice, 'smiling', 10)).faces.map((f) => f.seed)).toEqual([10, 11, 12, 13]);
    expect(await engine.describeFour!(alice, 'purple zzz')).toMatchObject({ kind: 'text', reason: 'nothing-understood' });
    expect(await engine.describeFour!(alice, '  ')).toMatchObject({ kind: 'text', reason: 'nothing-understood' });
    expect(await engine.describeFour!(alice, 'smiling', -1)).toMatchObject({ kind: 'text', reason: 'error' });
    expect(renderer.calls).toHaveLength(4);
  });

  it('sends the four renders to the render queue together: one generator batch', async () => {
    const batches: number[] = [];
    const generator = {
      zDim: FAKE_Z_DIM,
      async generate(latents: readonly Float32Array[]): Promise<ImageBatch> {
        batches.push(latents.length);
        const size = 8;
        return { data: new Float32Array(latents.length * 3 * size * size), count: latents.length, size };
      },
    };
    const queue = new RenderQueue(generator, { capacity: 16, maxBatch: 32, timeoutMs: 5000, size: 64 });
    const grid = gridOf(await engineOn(queue).describeFour!(alice, 'older, smiling'));
    expect(batches).toEqual([4]);
    const meta = await sharp(grid.png).metadata();
    expect([meta.width, meta.height]).toEqual([132, 132]); // two 64 px tiles and a 4 px gap
  });

  it('pick makes a face of the grid current and draws it at full size; picking another face works too', async () => {
    const grid = gridOf(await engine.describeFour!(alice, 'smiling'));
    const picked = faceOf(await engine.pick!(alice, grid.faces[1]!.id));
    expect(picked.face).toEqual(grid.faces[1]);
    expect(picked.caption).toMatch(/^picked · smiling/);
    expect(await store.getCurrentFaceId('alice')).toBe(grid.faces[1]!.id);
    expect(renderer.calls.at(-1)).toEqual(faceLatent(grid.faces[1]!, axes));
    await engine.pick!(alice, grid.faces[3]!.id);
    expect(await store.getCurrentFaceId('alice')).toBe(grid.faces[3]!.id);
    // a plain refine now works on the picked face
    const refined = faceOf(await engine.refine(alice, 'older'));
    expect(refined.face).toMatchObject({ parentId: grid.faces[3]!.id, seed: grid.faces[3]!.seed });
  });

  it("picking from someone else's grid makes your own copy, and a face that is gone is said", async () => {
    const grid = gridOf(await engine.describeFour!(alice, 'smiling'));
    const copy = faceOf(await engine.pick!(bob, grid.faces[0]!.id));
    expect(copy.face).toMatchObject({ ownerId: 'bob', parentId: grid.faces[0]!.id, seed: grid.faces[0]!.seed });
    expect(copy.notes.join(' ')).toContain('your own copy');
    expect(await store.getCurrentFaceId('alice')).toBeUndefined();
    expect(await engine.pick!(alice, 'no-such-face')).toMatchObject({ kind: 'text', reason: 'no-face' });
    expect(await engine.vary!(alice, 'no-such-face')).toMatchObject({ kind: 'text', reason: 'no-face' });
    expect(await engine.vary!(bob)).toMatchObject({ kind: 'grid' }); // bob's current face is his copy
    expect(await engine.vary!({ userId: 'carol' })).toMatchObject({ kind: 'text', reason: 'no-face' });
  });

  it('vary draws four neighbours: same seed and edits, a small step each, close to the face and to each other', async () => {
    const base = faceOf(await engine.describe(alice, 'smiling, with glasses')).face;
    const grid = gridOf(await engine.vary!(alice, base.id));
    expect(grid.caption).toContain(`four neighbours of seed ${base.seed}`);
    const z0 = faceLatent(base, axes);
    const stepSeeds = new Set<number>();
    for (const face of grid.faces) {
      expect(face).toMatchObject({ seed: base.seed, edits: base.edits, parentId: base.id, truncation: base.truncation });
      expect(face.jitter).toHaveLength(1);
      expect(face.jitter![0]!.scale).toBe(VARY_STEP);
      stepSeeds.add(face.jitter![0]!.seed);
      const z = faceLatent(face, axes);
      expect(z).not.toEqual(z0);
      // a neighbour lies between the face and the noise it mixes in: nearer the face than that noise is
      const near = cos(seedLatent(face, FAKE_Z_DIM), seedToLatent(base.seed, FAKE_Z_DIM));
      expect(near).toBeGreaterThan(cos(seedToLatent(face.jitter![0]!.seed, FAKE_Z_DIM), seedToLatent(base.seed, FAKE_Z_DIM)));
    }
    expect(stepSeeds.size).toBe(4);
    expect(await store.getCurrentFaceId('alice')).toBe(base.id);

    // a neighbour keeps its step through pick, refine and a second vary (steps add up); reroll drops it
    await engine.pick!(alice, grid.faces[2]!.id);
    const refined = faceOf(await engine.refine(alice, 'older')).face;
    expect(refined.jitter).toEqual(grid.faces[2]!.jitter);
    const again = gridOf(await engine.vary!(alice));
    expect(again.faces[0]!.jitter).toHaveLength(2);
    expect(again.faces[0]!.jitter![0]).toEqual(grid.faces[2]!.jitter![0]);
    const rerolled = faceOf(await engine.reroll(alice)).face;
    expect(rerolled.jitter).toBeUndefined();
  });

  it('a jitter step keeps the latent an N(0, I)-sized sample and is deterministic', () => {
    const z = seedLatent({ seed: 5, jitter: [{ seed: 9, scale: VARY_STEP }] }, 128);
    expect(z).toEqual(seedLatent({ seed: 5, jitter: [{ seed: 9, scale: VARY_STEP }] }, 128));
    const norm = Math.hypot(...z);
    expect(norm).toBeGreaterThan(9);
    expect(norm).toBeLessThan(14);
    expect(seedLatent({ seed: 5 }, 128)).toEqual(seedToLatent(5, 128));
    expect(gridIndex(1)).toBe(0);
    expect(gridIndex(4)).toBe(3);
    expect([0, 5, 1.5, NaN].map(gridIndex)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('SQLite keeps a varied face\'s steps; faces without steps load as before', async () => {
    const sqlite = openSqliteStore(':memory:');
    try {
      const real = createEngine({ store: sqlite, renderer, scorer: new FakeScorer(), axes, model: 'm' });
      const base = faceOf(await real.describe(alice, 'smiling')).face;
      const grid = gridOf(await real.vary!(alice, base.id));
      expect(await sqlite.getFace(grid.faces[1]!.id)).toEqual(grid.faces[1]);
      const loaded = await sqlite.getFace(base.id);
      expect(loaded).toEqual(base);
      expect(loaded && 'jitter' in loaded).toBe(false);
    } finally {
      await sqlite.close();
    }
  });

  it('composes four tiles of any size into one square picture', async () => {
    const tile = (v: number) => sharp({ create: { width: 10, height: 10, channels: 3, background: { r: v, g: v, b: v } } }).png().toBuffer();
    const png = await composeGrid(await Promise.all([0, 80, 160, 240].map(tile)));
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([24, 24]);
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    expect([at(2, 2), at(20, 2), at(2, 20), at(20, 20), at(11, 11)]).toEqual([0, 80, 160, 240, 255]);
    await expect(composeGrid([png])).rejects.toThrow(/needs 4 faces/);
  });
});

describe('GRID_DEFAULT', () => {
  it('is off by default, on or off when set, and anything else is named', () => {
    expect(loadConfig({}).GRID_DEFAULT).toBe('off');
    expect(loadConfig({ GRID_DEFAULT: 'on' }).GRID_DEFAULT).toBe('on');
    expect(() => loadConfig({ GRID_DEFAULT: 'yes' })).toThrow(/GRID_DEFAULT/);
  });
});

describe('Discord: /face describe four, Pick and Vary buttons', () => {
  let client: ReturnType<typeof createOfflineClient> | undefined;
  afterEach(async () => {
    await client?.destroy();
    client = undefined;
  });

  function bot(options: { gridDefault?: boolean } = {}) {
    const rest = new RestCapture();
    client = createOfflineClient(rest);
    const { log, lines } = memoryLogger();
    const deps: BotDeps = { engine, log, limiter: new SlidingWindowLimiter(100), progressIntervalMs: 0, gridDefault: options.gridDefault };
    const runtime = attachHandlers(client, deps);
    return { rest, logs: lines, idle: () => runtime.idle(), client };
  }

  const describeFour = (text: string, four?: boolean) =>
    slashPayload('describe', [
      { name: 'text', type: ApplicationCommandOptionType.String, value: text },
      ...(four === undefined ? [] : [{ name: 'four', type: ApplicationCommandOptionType.Boolean, value: four as unknown as number }]),
    ]);

  const buttonsOf = (json: Record<string, unknown> | undefined) =>
    ((json?.components ?? []) as { components: { custom_id: string; label: string }[] }[]).map((row) => row.components.map((b) => b.custom_id));

  it('registers a `four` option on describe', () => {
    const describeOpt = faceCommandJson().options?.[0] as { options: { name: string; type: number }[] };
    expect(describeOpt.options.map((o) => o.name)).toEqual(['text', 'seed', 'four']);
    expect(describeOpt.options[2]?.type).toBe(ApplicationCommandOptionType.Boolean);
  });

  it('four:true posts one 2×2 PNG with Pick 1–4 and Vary 1–4 buttons; Pick posts that face with Reroll / Undo', async () => {
    const b = bot();
    gateway.interactionCreate(b.client, describeFour('smiling', true));
    await b.idle();
    const edit = b.rest.find('PATCH', '/messages/@original').at(-1);
    expect(edit?.files).toHaveLength(1);
    expect(isPng(edit!.files[0]!.bytes)).toBe(true);
    expect(readPngText(edit!.files[0]!.bytes).Description).toContain('four faces');
    const content = String(edit?.json?.content);
    expect(content).toContain('smiling');
    expect(content).toMatch(/1: `\d+` · 2: `\d+` · 3: `\d+` · 4: `\d+`/);
    const rows = buttonsOf(edit?.json);
    expect(rows).toHaveLength(2);
    const picks = rows[0]!.map((id) => parseFaceButtonId(id)!);
    const varies = rows[1]!.map((id) => parseFaceButtonId(id)!);
    expect(picks.map((p) => p.action)).toEqual(['pick', 'pick', 'pick', 'pick']);
    expect(varies.map((p) => p.action)).toEqual(['vary', 'vary', 'vary', 'vary']);
    expect(varies.map((p) => p.faceId)).toEqual(picks.map((p) => p.faceId));
    expect([...rows[0]!, ...rows[1]!].every((id) => id.length <= MAX_CUSTOM_ID)).toBe(true);
    const labels = ((edit?.json?.components ?? []) as { components: { label: string }[] }[]).flatMap((r) => r.components.map((c) => c.label));
    expect(labels).toEqual(['Pick 1', 'Pick 2', 'Pick 3', 'Pick 4', 'Vary 1', 'Vary 2', 'Vary 3', 'Vary 4']);
    expect(await store.getCurrentFaceId(discordIds.user)).toBeUndefined();
    expect(b.logs.find((l) => l.msg === 'grid posted')).toMatchObject({ command: 'describe:four', faceIds: picks.map((p) => p.faceId) });

    b.rest.requests.length = 0;
    gateway.interactionCreate(b.client, buttonPayload(rows[0]![2]!, '1600000000000000900'));
    await b.idle();
    const picked = b.rest.find('PATCH', '/messages/@original').at(-1);
    expect(isPng(picked!.files[0]!.bytes)).toBe(true);
    expect(String(picked?.json?.content)).toContain('picked · smiling');
    expect(buttonsOf(picked?.json)).toEqual([[`face:reroll:${picks[2]!.faceId}`, `face:undo:${picks[2]!.faceId}`]]);
    expect(await store.getCurrentFaceId(discordIds.user)).toBe(picks[2]!.faceId);
    expect([...store.messages.values()]).toContain(picks[2]!.faceId); // replies and 🎲 on it work

    b.rest.requests.length = 0;
    gateway.interactionCreate(b.client, buttonPayload(rows[1]![0]!, '1600000000000000901'));
    await b.idle();
    const varied = b.rest.find('PATCH', '/messages/@original').at(-1);
    expect(String(varied?.json?.content)).toContain('four neighbours of seed');
    const neighbours = buttonsOf(varied?.json)[0]!.map((id) => store.faces.get(parseFaceButtonId(id)!.faceId)!);
    expect(neighbours.every((f) => f.parentId === picks[0]!.faceId && f.jitter?.length === 1)).toBe(true);
  });

  it('GRID_DEFAULT=on makes describe answer with the grid; four:false still asks for one face', async () => {
    const b = bot({ gridDefault: true });
    gateway.interactionCreate(b.client, describeFour('smiling'));
    await b.idle();
    expect(buttonsOf(b.rest.find('PATCH', '/messages/@original').at(-1)?.json)).toHaveLength(2);
    b.rest.requests.length = 0;
    gateway.interactionCreate(b.client, describeFour('smiling', false));
    await b.idle();
    const single = buttonsOf(b.rest.find('PATCH', '/messages/@original').at(-1)?.json);
    expect(single).toHaveLength(1);
    expect(single[0]![0]).toMatch(/^face:reroll:/);
  });

  it('without the setting, describe answers with one face as before', async () => {
    const b = bot();
    gateway.interactionCreate(b.client, describeFour('smiling'));
    await b.idle();
    expect(buttonsOf(b.rest.find('PATCH', '/messages/@original').at(-1)?.json)[0]![0]).toMatch(/^face:reroll:/);
  });

  it('a stale Pick or Vary button (its face deleted) answers privately that the face is gone', async () => {
    const b = bot();
    for (const id of ['face:pick:gone1', 'face:vary:gone1']) {
      b.rest.requests.length = 0;
      gateway.interactionCreate(b.client, buttonPayload(id, '1600000000000000902'));
      await b.idle();
      const said = b.rest.requests.map((r) => JSON.stringify(r.json ?? '')).join('\n');
      expect(said).toContain('I cannot find that face any more');
      expect(b.rest.requests.some((r) => r.files.length > 0)).toBe(false);
    }
  });
});

describe('chat: /four, /pick N, /vary N', () => {
  let outDir: string;
  beforeEach(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-grid-'));
  });
  afterEach(() => fs.rmSync(outDir, { recursive: true, force: true }));

  async function chat(lines: string[], gridDefault = false) {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (c: Buffer) => chunks.push(c));
    const summary = await runChat({ engine, input: Readable.from([lines.join('\n')]), output, outDir, gridDefault });
    return { summary, out: Buffer.concat(chunks).toString('utf8') };
  }

  it('shows four as <id>-grid.png, picks one, varies one, and words bad numbers and missing grids', async () => {
    const { out, summary } = await chat(['/pick 1', '/vary 2', '/four smiling', '/pick 7', '/pick x', '/pick 2', 'older', '/vary 3', '/vary', '/help']);
    expect(summary.failed).toBe(0);
    expect(out).toContain('There are no four faces to pick from yet: /four TEXT draws four.');
    expect(out).toContain('There are no four faces to vary from yet');
    expect(out).toContain('/pick takes a number from 1 to 4');
    const grids = [...out.matchAll(/^(\S+-grid\.png)$/gm)].map((m) => m[1]!);
    expect(grids).toHaveLength(3);
    for (const file of grids) expect(isPng(fs.readFileSync(file))).toBe(true);
    const first = [...store.faces.values()].filter((f) => f.parentId === null);
    expect(first).toHaveLength(4);
    expect(path.basename(grids[0]!)).toBe(`${first[0]!.id}-grid.png`);
    const picked = first[1]!;
    expect(out).toContain(path.join(outDir, `${picked.id}.png`));
    expect(out).toContain('picked · smiling');
    const refined = [...store.faces.values()].find((f) => f.parentId === picked.id && f.edits.length === 2);
    expect(refined).toBeDefined();
    expect(out).toContain('four neighbours of seed');
    expect(out).toContain('/pick N');
    expect(out).toContain('/vary N');
  });

  it('GRID_DEFAULT=on: /new draws four', async () => {
    const { out } = await chat(['/new smiling', '/pick 4'], true);
    expect(out).toMatch(/-grid\.png\n/);
    expect(out).toContain('picked · smiling');
  });
});
