import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import { loadPhotoInverter, type ModelPhotoInverter } from '../src/photo/inverter.js';
import { engineModels, loadFaceModels, type FaceModels } from '../src/render/models.js';
import { startStudioServer, type StudioServer } from '../src/studio/server.js';
import { FakeStore } from './helpers/fake-store.js';

let models: FaceModels;
let inverter: ModelPhotoInverter;
let server: StudioServer;
const store = new FakeStore();

beforeAll(async () => {
  models = await loadFaceModels({
    modelsDir: path.resolve('tests/fixtures/models'), provider: 'cpu', renderSize: 64, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000,
  });
  const loaded = await loadPhotoInverter('tests/fixtures/models', models.generator, models.classifier, 'cpu');
  if (!('inverter' in loaded)) throw new Error(loaded.problem);
  inverter = loaded.inverter;
  const engine = createEngine({ store, ...engineModels(models), now: () => 1, photo: { inverter } });
  server = await startStudioServer({ engine, userId: 'studio', host: '127.0.0.1', port: 0, photoMaxBytes: 1024 * 1024 });
});
afterAll(async () => {
  await server?.close();
  await inverter?.close();
  await models?.close();
});

const post = (body: Buffer, type = 'application/octet-stream') =>
  fetch(new URL('/api/photo', server.url), { method: 'POST', headers: { 'Content-Type': type }, body });

describe('studio photo upload', () => {
  it('makes a face from the photo and opens the studio on it, with the side-by-side picture', async () => {
    const res = await post(fs.readFileSync('tests/fixtures/photo/face.png'));
    const body = await res.json() as { kind: string; face: { id: string; edits: string[] }; compare: string; image: string };
    expect(res.status).toBe(200);
    expect(body.kind).toBe('face');
    expect(body.face.edits).toEqual(['from a photo']);
    expect(body.compare).toMatch(/^data:image\/png;base64,/);
    expect((await store.getFace(body.face.id))?.origin?.kind).toBe('photo');
  });

  it('refuses what is not a photo, too large, or not sent as bytes, and stores nothing', async () => {
    const before = store.faces.size;
    const text = await post(Buffer.from('not a picture at all'));
    expect(text.status).toBe(400);
    expect(JSON.stringify(await text.json())).toMatch(/not an image/);
    const large = await post(Buffer.alloc(2 * 1024 * 1024));
    expect(large.status).toBe(413);
    expect(JSON.stringify(await large.json())).toMatch(/2(\.0)? MB; photos can be up to 1(\.0)? MB/);
    expect((await post(fs.readFileSync('tests/fixtures/photo/face.png'), 'text/plain')).status).toBe(415);
    expect(store.faces.size).toBe(before);
  });
});
