import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { faceMessage } from '../src/bot/format/face-message.js';
import { createEngine } from '../src/conversation/engine.js';
import type { EngineReply } from '../src/conversation/types.js';
import { Generator } from '../src/render/generator.js';
import { encodePng } from '../src/render/png.js';
import { DIGITAL_SOURCE_TYPE, labelPng, readPngText, type FaceLabel } from '../src/render/png-label.js';
import { SOFTWARE } from '../src/version.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer, FakeScorer, makeFakeAxes } from './helpers/fake-render.js';

const FIXTURE_MODELS = path.resolve('tests/fixtures/models');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-labels-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const LABEL: FaceLabel = {
  software: 'tellaface 9.9.9',
  seed: 4242,
  truncation: 0.8,
  edits: ['an older man, smiling', 'plus de barbe 🧔 «bitte»'],
  caption: 'older ▲, man, smiling',
  model: 'abc123def456/0123456789ab',
};

async function realPng(): Promise<Buffer> {
  const g = await Generator.load(path.join(FIXTURE_MODELS, 'generator.onnx'), 'cpu');
  try {
    const batch = await g.generate([new Float32Array(g.zDim).fill(0.3)]);
    return await encodePng(batch, 0, 64);
  } finally {
    await g.close();
  }
}

function faceOf(reply: EngineReply): Extract<EngineReply, { kind: 'face' }> {
  if (reply.kind !== 'face') throw new Error(`expected a face, got: ${reply.text}`);
  return reply;
}

describe('every face says what it is, inside the file', () => {
  it('labelPng adds PNG text and XMP (IPTC trainedAlgorithmicMedia) and leaves the pixels alone', async () => {
    const png = await realPng();
    const labelled = labelPng(png, LABEL);
    expect(readPngText(png)).toEqual({});
    const text = readPngText(labelled);
    expect(text.Software).toBe('tellaface 9.9.9');
    expect(text.Description).toBe('AI-generated face of a person who does not exist (tellaface): older ▲, man, smiling');
    expect(JSON.parse(text.Comment!)).toEqual({
      digitalSourceType: DIGITAL_SOURCE_TYPE, seed: 4242, truncation: 0.8, edits: LABEL.edits, model: LABEL.model,
    });
    expect(text['XML:com.adobe.xmp']).toContain(`Iptc4xmpExt:DigitalSourceType="${DIGITAL_SOURCE_TYPE}"`);

    // an independent reader (libvips through sharp) decodes the same pixels and finds the XMP
    const [before, after] = await Promise.all([png, labelled].map((b) => sharp(b).raw().toBuffer()));
    expect(after!.equals(before!)).toBe(true);
    const xmp = (await sharp(labelled).metadata()).xmp?.toString('utf8') ?? '';
    expect(xmp).toContain('trainedAlgorithmicMedia');
    expect(xmp).toContain('xmp:CreatorTool="tellaface 9.9.9"');
    expect(xmp).toContain('plus de barbe 🧔 «bitte»'); // UTF-8 words survive
  });

  it('words that look like markup are escaped in the XMP, and a file that is not a PNG is refused', async () => {
    const png = await realPng();
    const text = readPngText(labelPng(png, { ...LABEL, edits: ['</rdf:li><evil attr="x">&amp;'], caption: 'a "quoted" <face>' }));
    const xmp = text['XML:com.adobe.xmp']!;
    expect(xmp).not.toContain('<evil');
    expect(xmp).toContain('&lt;/rdf:li&gt;&lt;evil');
    expect(xmp).toContain('a &quot;quoted&quot; &lt;face&gt;');
    expect(() => labelPng(Buffer.from('not a png'), LABEL)).toThrow(/not a PNG/);
  });

  it('the engine labels every face it draws, and gives the same in words for alt text', async () => {
    const engine = createEngine({
      store: new FakeStore(), renderer: new FakeRenderer(), scorer: new FakeScorer({}), axes: makeFakeAxes(), model: 'gen/axes', random: () => 0.5,
    });
    const ctx = { userId: 'alice' };
    const made = faceOf(await engine.describe(ctx, 'an older man, smiling'));
    const refined = faceOf(await engine.refine(ctx, 'with glasses'));
    const undone = faceOf(await engine.undo(ctx));
    for (const reply of [made, refined, undone]) {
      const text = readPngText(reply.png);
      expect(text.Software).toBe(SOFTWARE);
      expect(SOFTWARE).toMatch(/^tellaface \d+\.\d+\.\d+/);
      const recipe = JSON.parse(text.Comment!) as { seed: number; edits: string[]; model: string; digitalSourceType: string };
      expect(recipe).toMatchObject({ seed: reply.face.seed, model: 'gen/axes', digitalSourceType: DIGITAL_SOURCE_TYPE });
      expect(recipe.edits).toEqual(reply.face.edits.map((e) => e.text));
      expect(reply.altText).toMatch(/^AI-generated face of a person who does not exist/);
      expect(reply.altText).toBe(text.Description);
    }
    expect(JSON.parse(readPngText(refined.png).Comment!).edits).toEqual(['an older man, smiling', 'with glasses']);
  });

  it('the Discord attachment carries the alt text (Discord may strip the file\'s own label)', async () => {
    const engine = createEngine({
      store: new FakeStore(), renderer: new FakeRenderer(), scorer: new FakeScorer({}), axes: makeFakeAxes(), model: 'gen/axes', random: () => 0.5,
    });
    const reply = faceOf(await engine.describe({ userId: 'bob' }, 'a smiling woman'));
    const file = faceMessage(reply).files[0]!;
    expect(file.description).toBe(reply.altText);
    expect(file.description).toMatch(/^AI-generated face .*smiling/);
  });

  it('the local chat saves labelled PNGs (real models, through npm start)', () => {
    const base = { ...process.env };
    delete base.DISCORD_TOKEN;
    const out = path.join(tmp, 'out');
    const r = spawnSync(path.resolve('node_modules/.bin/tsx'), ['src/main.ts', '--out-dir', out], {
      input: 'a smiling woman\n', encoding: 'utf8', timeout: 120_000,
      env: { ...base, MODELS_DIR: FIXTURE_MODELS, DATABASE_PATH: path.join(tmp, 'chat.db'), EXECUTION_PROVIDER: 'cpu', RENDER_SIZE: '64', LOG_LEVEL: 'silent' },
    });
    expect(r.status, r.stderr).toBe(0);
    const file = r.stdout.split('\n').find((l) => l.endsWith('.png'))!;
    const text = readPngText(fs.readFileSync(file));
    expect(text.Software).toBe(SOFTWARE);
    expect(JSON.parse(text.Comment!).edits).toEqual(['a smiling woman']);
    expect(text['XML:com.adobe.xmp']).toContain('trainedAlgorithmicMedia');
  });

  it('`npm run face` labels its PNGs the same way', () => {
    const file = path.join(tmp, 'cli.png');
    const r = spawnSync(path.resolve('node_modules/.bin/tsx'), ['src/cli/face.ts', 'a smiling woman', '--seed', '12', '--size', '64', '--out', file], {
      encoding: 'utf8', timeout: 120_000, env: { ...process.env, MODELS_DIR: FIXTURE_MODELS, EXECUTION_PROVIDER: 'cpu', LOG_LEVEL: 'silent' },
    });
    expect(r.status, r.stderr).toBe(0);
    const text = readPngText(fs.readFileSync(file));
    expect(JSON.parse(text.Comment!)).toMatchObject({ seed: 12, edits: ['a smiling woman'], digitalSourceType: DIGITAL_SOURCE_TYPE });
    expect(text.Description).toMatch(/^AI-generated face/);
  });
});
