import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChat } from '../src/console/chat.js';
import { createEngine } from '../src/conversation/engine.js';
import type { PhotoDeps } from '../src/conversation/photo.js';
import type { ConversationEngine, EngineReply } from '../src/conversation/types.js';
import { decodeLatent } from '../src/latent/origin.js';
import { alignPhoto } from '../src/photo/align.js';
import { decodePhoto } from '../src/photo/decode.js';
import { loadPhotoInverter, type ModelPhotoInverter } from '../src/photo/inverter.js';
import { photoLimits } from '../src/photo/limits.js';
import { engineModels, loadFaceModels, type FaceModels } from '../src/render/models.js';
import { DIGITAL_SOURCE_TYPE, PHOTO_DIGITAL_SOURCE_TYPE, readPngText } from '../src/render/png-label.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { FaceStore } from '../src/store/types.js';
import { FakeStore } from './helpers/fake-store.js';

const PHOTOS = 'tests/fixtures/photo';
const photo = (name: string) => fs.readFileSync(path.join(PHOTOS, name));
const alice = { userId: 'alice' };
const bob = { userId: 'bob' };

let models: FaceModels;
let inverter: ModelPhotoInverter;

beforeAll(async () => {
  models = await loadFaceModels({
    modelsDir: path.resolve('tests/fixtures/models'), provider: 'cpu', renderSize: 64, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000,
  });
  const loaded = await loadPhotoInverter('tests/fixtures/models', models.generator, models.classifier, 'cpu');
  if (!('inverter' in loaded)) throw new Error(loaded.problem);
  inverter = loaded.inverter;
});
afterAll(async () => {
  await inverter?.close();
  await models?.close();
});

function engineWith(store: FaceStore, deps: PhotoDeps | null = { inverter, limits: photoLimits() }): ConversationEngine {
  let r = 0.1;
  return createEngine({ store, ...engineModels(models), random: () => (r = (r + 0.137) % 1), now: () => 1, ...(deps ? { photo: deps } : {}) });
}

function faceOf(reply: EngineReply): Extract<EngineReply, { kind: 'face' }> {
  if (reply.kind !== 'face') throw new Error(`expected a face, got: ${reply.text}`);
  return reply;
}

describe('bad uploads get a clear reply and store nothing', () => {
  const cases: Array<[string, () => Buffer, RegExp]> = [
    ['no face', () => photo('no-face.png'), /no face/i],
    ['two faces', () => photo('two-faces.png'), /2 faces.*single face/i],
    ['a text file named .png', () => Buffer.from('hello, this is not a picture\n'.repeat(20)), /not an image/i],
    ['a 30 MB file', () => Buffer.concat([photo('face.png'), Buffer.alloc(30 * 1024 * 1024 - photo('face.png').length)]), /30(\.0)? MB.*up to 8 MB/],
    ['a face too small to read', () => photo('tiny-face.png'), /face .* only about \d+ px wide/i],
    ['a PNG cut short', () => photo('face.png').subarray(0, 5000), /could not be read as an image/i],
  ];
  for (const [what, bytes, said] of cases) {
    it(what, async () => {
      const store = new FakeStore();
      const reply = await engineWith(store).photo!(alice, { bytes: bytes(), name: 'me.png' });
      expect(reply.kind).toBe('text');
      if (reply.kind === 'text') expect(reply.text).toMatch(said);
      expect(store.faces.size).toBe(0);
      expect(await store.getCurrentFaceId('alice')).toBeUndefined();
    });
  }

  it('says photos are not available without an encoder, and stores nothing', async () => {
    const store = new FakeStore();
    const noEncoder = await loadPhotoInverter(fs.mkdtempSync(path.join(os.tmpdir(), 'no-encoder-')), models.generator, models.classifier, 'cpu');
    expect('problem' in noEncoder && noEncoder.problem).toMatch(/not available.*encoder\.onnx is missing/);
    for (const deps of [null, { problem: (noEncoder as { problem: string }).problem }]) {
      const reply = await engineWith(store, deps).photo!(alice, { bytes: photo('face.png') });
      expect(reply.kind === 'text' && reply.text).toMatch(/not available/);
    }
    expect(store.faces.size).toBe(0);
  });
});

describe('a good upload', () => {
  it('makes a face marked as from a photo, keeps only its latent, and shows the photo beside the face', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'photo-store-'));
    const store = openSqliteStore(path.join(dir, 'faces.db'));
    const bytes = photo('face.png');
    const reply = faceOf(await engineWith(store).photo!(alice, { bytes, name: 'me.png' }));
    const stored = (await store.getFace(reply.face.id))!;
    expect(await store.getCurrentFaceId('alice')).toBe(reply.face.id);
    expect(stored.origin?.kind).toBe('photo');
    expect(stored.origin?.parts).toEqual([]);
    expect(stored.edits.map((e) => e.made)).toEqual(['photo']);
    expect(Object.keys(stored).sort()).toEqual(['createdAt', 'edits', 'id', 'model', 'origin', 'ownerId', 'parentId', 'seed', 'truncation']);
    // the latent is the encoder's (the fixture encoder inverts the fixture G exactly, so it is E of the aligned crop)
    const aligned = await alignPhoto(await decodePhoto(bytes, photoLimits()), { size: inverter.inputSize });
    const z = decodeLatent(stored.origin!.z, models.generator.zDim);
    expect(Array.from(z)).toEqual(Array.from((await inverter.invert(aligned.pixels)).z));
    // the photo's pixels are nowhere in the database: not the upload, not the aligned crop
    await store.close();
    const db = fs.readFileSync(path.join(dir, 'faces.db'));
    expect(db.includes(bytes.subarray(100, 164))).toBe(false);
    expect(db.includes(aligned.rgb)).toBe(false);
    expect(db.includes(Buffer.from(aligned.rgb.toString('base64').slice(0, 64)))).toBe(false);
    // the reply: aligned input | reconstruction, twice as wide as a face, labelled as AI-edited
    const meta = await sharp(reply.png).metadata();
    expect(meta.width).toBeGreaterThan(2 * meta.height!);
    const text = readPngText(reply.png);
    expect(text['XML:com.adobe.xmp']).toContain(PHOTO_DIGITAL_SOURCE_TYPE);
    expect(text.Comment).toContain('compositeWithTrainedAlgorithmicMedia');
    expect(reply.altText).toMatch(/AI-edited/);
    expect(reply.altText).not.toMatch(/does not exist/);
    expect(reply.notes.join(' ')).toMatch(/photo was not kept/);
  });

  it('refines like any face, only for its owner; others cannot refine, mix, morph or pick it', async () => {
    const store = new FakeStore();
    const engine = engineWith(store);
    const made = faceOf(await engine.photo!(alice, { bytes: photo('face.png') }));
    const older = faceOf(await engine.refine(alice, 'make me older', made.face.id));
    expect(older.face.origin).toEqual(made.face.origin);
    expect(readPngText(older.png)['XML:com.adobe.xmp']).toContain(PHOTO_DIGITAL_SOURCE_TYPE);
    faceOf(await engine.describe(bob, 'a smiling woman'));
    const refused = [
      await engine.refine(bob, 'older', made.face.id),
      await engine.mix!(bob, { otherFaceId: made.face.id }),
      await engine.morph!(bob, 'older', { faceId: made.face.id }),
      await engine.pick!(bob, older.face.id),
      await engine.explain(bob, made.face.id),
    ];
    for (const reply of refused) expect(reply.kind === 'text' && reply.text).toMatch(/someone's photo: only the person who uploaded it/);
    expect([...store.faces.values()].filter((f) => f.ownerId === 'bob')).toHaveLength(1);
    // the owner's mix of the photo's face with another is a photo's face too (labelled, owner-only)
    const bobs = [...store.faces.values()].find((f) => f.ownerId === 'bob')!;
    const mixed = faceOf(await engine.mix!(alice, { faceId: made.face.id, otherFaceId: bobs.id }));
    expect(mixed.face.origin?.fromPhoto).toBe(true);
    expect(readPngText(mixed.png).Comment).toContain('compositeWithTrainedAlgorithmicMedia');
    expect((await engine.refine(bob, 'older', mixed.face.id)).kind).toBe('text');
    // its four neighbours are labelled as AI-edited too
    const four = await engine.vary!(alice, made.face.id);
    expect(four.kind === 'grid' && readPngText(four.png).Comment).toContain('compositeWithTrainedAlgorithmicMedia');
  });

  it('undo cannot step back into someone else\'s photo face through a reroll of it that another user refined', async () => {
    const store = new FakeStore();
    const engine = engineWith(store);
    const made = faceOf(await engine.photo!(alice, { bytes: photo('face.png') }));
    const rerolled = faceOf(await engine.reroll(alice, made.face.id));
    expect(rerolled.face.parentId).toBe(made.face.id);
    // bob replies to the reroll (not a photo face itself): he gets his own copy of it
    faceOf(await engine.refine(bob, 'smiling', rerolled.face.id));
    const replies = [await engine.undo(bob), await engine.undo(bob), await engine.undo(bob)];
    for (const r of replies) if (r.kind === 'face') expect(r.face.id).not.toBe(made.face.id);
    expect(replies.some((r) => r.kind === 'text' && /someone's photo: only the person who uploaded it/.test(r.text))).toBe(true);
    // and bob's next words do not refine alice's photo face
    const next = await engine.refine(bob, 'with glasses');
    if (next.kind === 'face') expect(next.face.origin?.kind).not.toBe('photo');
  });

  it('faces drawn from seeds keep the trainedAlgorithmicMedia label', async () => {
    const reply = faceOf(await engineWith(new FakeStore()).describe(alice, 'a smiling man'));
    expect(readPngText(reply.png)['XML:com.adobe.xmp']).toContain(`DigitalSourceType="${DIGITAL_SOURCE_TYPE}"`);
    expect(reply.altText).toMatch(/does not exist/);
  });

  it('/face forget deletes the photo face and everything made from it', async () => {
    const store = new FakeStore();
    const engine = engineWith(store);
    const made = faceOf(await engine.photo!(alice, { bytes: photo('face.png') }));
    const older = faceOf(await engine.refine(alice, 'older'));
    await engine.forget(alice);
    expect(await store.getFace(made.face.id)).toBeUndefined();
    expect(await store.getFace(older.face.id)).toBeUndefined();
    expect(store.faces.size).toBe(0);
  });
});

describe('chat /photo PATH', () => {
  it('makes the face, saves the side-by-side beside it, and answers bad paths and files in words', async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-photo-'));
    const text = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-text-'));
    fs.writeFileSync(path.join(text, 'me.png'), 'not a picture\n');
    const chunks: Buffer[] = [];
    const output = new Writable({ write: (c, _e, cb) => (chunks.push(Buffer.from(c)), cb()) });
    const store = new FakeStore();
    const lines = ['/photo tests/fixtures/photo/face.png', '/photo /no/such/photo.jpg', `/photo ${path.join(text, 'me.png')}`, '/photo', 'make me older'];
    const summary = await runChat({ engine: engineWith(store), input: Readable.from([lines.join('\n')]), output, outDir });
    const out = Buffer.concat(chunks).toString('utf8');
    expect(summary.failed).toBe(0);
    const [made] = [...store.faces.values()].filter((f) => f.origin?.kind === 'photo' && f.parentId === null);
    expect(fs.existsSync(path.join(outDir, `${made!.id}-photo.png`))).toBe(true);
    expect(fs.existsSync(path.join(outDir, `${made!.id}.png`))).toBe(true);
    expect(out).toContain('There is no file /no/such/photo.jpg.');
    expect(out).toMatch(/not an image I can read/);
    expect(out).toMatch(/Say which photo: \/photo PATH/);
    // the next line refines the photo's face
    const older = [...store.faces.values()].find((f) => f.parentId === made!.id)!;
    expect(older.edits.map((e) => e.text)).toEqual(['from a photo', 'make me older']);
  });
});
