import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Edit } from '../src/face/record.js';
import { withAnchorIdentity } from '../src/latent/identity-hold.js';
import { batchReads, type FaceReading, type ReadOptions } from '../src/latent/steer.js';
import { Classifier } from '../src/render/classifier.js';
import { IdentityNet } from '../src/render/identity.js';
import { loadFaceModels, modelConfigFrom } from '../src/render/models.js';
import { RECENT_FACES, RecentByLatent } from '../src/render/recent.js';

/**
 * The identity network is read on the faces asked for only, and G and the scorer remember the faces they drew
 * and read last (src/render/recent.ts), giving exactly what a new run gives.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-recent-reads-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function fixtureModels(name: string) {
  const dir = path.join(tmp, name);
  fs.cpSync(path.resolve('tests/fixtures/models'), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'identity.json'), JSON.stringify({ threshold: 0.05 }));
  return loadFaceModels({ modelsDir: dir, provider: 'cpu', renderSize: 64, queueCapacity: 4, maxBatch: 4, timeoutMs: 10_000, recentFaces: 256 });
}

const latent = (zDim: number, k: number) => Float32Array.from({ length: zDim }, (_, i) => Math.sin(k * 7.3 + i * 1.1));

/** Faces run through a method of a class, from here on. */
function faces(proto: object, method: string): { n: number } {
  const seen = { n: 0 };
  const o = proto as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const original = o[method]!;
  vi.spyOn(o, method).mockImplementation(function (this: unknown, ...args: unknown[]) {
    // an image batch, a list of latents, or G's ONNX feeds ({ z: [n, zDim] })
    const a = args[0] as { count?: number; length?: number; z?: { dims: readonly number[] } };
    seen.n += a.count ?? a.length ?? a.z?.dims[0] ?? 0;
    return original.apply(this, args);
  });
  return seen;
}

describe('the scorer reads identity only where asked', () => {
  it('reads it for all, none, or the flagged faces, and the rest of the reading is the same', async () => {
    const models = await fixtureModels('flags');
    try {
      const zs = [0, 1, 2].map((k) => latent(models.generator.zDim, k));
      const embedded = faces(IdentityNet.prototype, 'embed');
      const none = await models.scorer.read(zs, { identity: false });
      expect(none.every((r) => r.identity === undefined)).toBe(true);
      expect(embedded.n).toBe(0);
      const some = await models.scorer.read(zs, { identity: [false, true, false] });
      expect(some.map((r) => r.identity !== undefined)).toEqual([false, true, false]);
      expect(embedded.n).toBe(1);
      const fresh = await fixtureModels('flags-fresh');
      try {
        const all = await fresh.scorer.read(zs);
        expect(all.every((r) => r.identity !== undefined)).toBe(true);
        expect(Array.from(some[1]!.identity!)).toEqual(Array.from(all[1]!.identity!));
        all.forEach((r, i) => {
          expect(Array.from(none[i]!.logits)).toEqual(Array.from(r.logits));
          expect(none[i]!.age).toBe(r.age);
        });
      } finally {
        await fresh.close();
      }
    } finally {
      await models.close();
    }
  });
});

describe('faces drawn and read lately are remembered', () => {
  it('a latent read again is neither drawn nor read again, and its identity asked later is read on the image G drew', async () => {
    const models = await fixtureModels('again');
    try {
      const [a, b] = [latent(models.generator.zDim, 3), latent(models.generator.zDim, 4)];
      const first = await models.scorer.read([a, b], { identity: false });
      const read = faces(Classifier.prototype, 'read');
      const embedded = faces(IdentityNet.prototype, 'embed');
      const session = (models.generator as unknown as { loaded: { session: object } }).loaded.session;
      const drawn = faces(session, 'run');
      const again = await models.scorer.read([Float32Array.from(b), a], { identity: [true, false] });
      expect(read.n).toBe(0);
      expect(drawn.n).toBe(0);
      expect(embedded.n).toBe(1);
      expect(Array.from(again[0]!.logits)).toEqual(Array.from(first[1]!.logits));
      expect(again[1]!.identity).toBeUndefined();
      // the reply's picture of a face just read is not drawn again
      await models.renderer.renderPng(a);
      expect(drawn.n).toBe(0);
      // a new face is drawn and read
      await models.scorer.read([latent(models.generator.zDim, 5)]);
      expect(read.n).toBe(1);
    } finally {
      await models.close();
    }
  });

  it('only where the config asks: the engine\'s config does, a loader without it (benchmarks, evaluations) runs every read', async () => {
    const env = { MODELS_DIR: 'models', EXECUTION_PROVIDER: 'cpu' as const, RENDER_SIZE: 64, QUEUE_CAPACITY: 4, MAX_BATCH: 4, RENDER_TIMEOUT_MS: 10_000 };
    expect(modelConfigFrom(env).recentFaces).toBe(RECENT_FACES);
    const dir = path.join(tmp, 'plain');
    fs.cpSync(path.resolve('tests/fixtures/models'), dir, { recursive: true });
    const models = await loadFaceModels({ modelsDir: dir, provider: 'cpu', renderSize: 64, queueCapacity: 4, maxBatch: 4, timeoutMs: 10_000 });
    try {
      const z = latent(models.generator.zDim, 6);
      const read = faces(Classifier.prototype, 'read');
      const drawn = faces((models.generator as unknown as { loaded: { session: object } }).loaded.session, 'run');
      await models.scorer.read([z]);
      await models.scorer.read([z]);
      expect([read.n, drawn.n]).toEqual([2, 2]);
    } finally {
      await models.close();
    }
  });

  it('G gives a batch of remembered and new faces exactly as a new run of the whole batch', async () => {
    const models = await fixtureModels('mixed');
    const fresh = await fixtureModels('mixed-fresh');
    try {
      const zs = [0, 1, 2, 3].map((k) => latent(models.generator.zDim, 10 + k));
      await models.generator.generate([zs[1]!, zs[3]!]);
      const mixed = await models.generator.generate(zs);
      const whole = await fresh.generator.generate(zs);
      expect(mixed.count).toBe(4);
      expect(mixed.size).toBe(whole.size);
      expect(Array.from(mixed.data)).toEqual(Array.from(whole.data));
    } finally {
      await Promise.all([models.close(), fresh.close()]);
    }
  });

  it('keeps the last few by the latent\'s exact bytes', () => {
    const recent = new RecentByLatent<number>(2);
    const z = (v: number) => Float32Array.of(v, 1);
    recent.set(z(1), 1);
    recent.set(z(2), 2);
    expect(recent.get(z(1))).toBe(1); // now the most recent
    recent.set(z(3), 3);
    expect(recent.get(z(2))).toBeUndefined();
    expect(recent.get(z(1))).toBe(1);
    expect(recent.get(Float32Array.of(1 + 1e-7, 1))).toBeUndefined();
    expect(recent.size).toBe(2);
  });
});

describe('batched reads keep each request\'s identity option', () => {
  it('asks the reader once, with a flag per latent', async () => {
    const calls: Array<{ n: number; options?: ReadOptions }> = [];
    const reader = batchReads(async (zs, options) => {
      calls.push({ n: zs.length, ...(options ? { options } : {}) });
      return zs.map((z, i) => ({ logits: z, ...(options?.identity === undefined || (options.identity as boolean[])[i] ? { identity: z } : {}) }));
    });
    const z = () => new Float32Array(2);
    const [a, b, c] = await Promise.all([reader([z(), z()], { identity: false }), reader([z()], { identity: true }), reader([z()])]);
    expect(calls).toEqual([{ n: 4, options: { identity: [false, false, true, true] } }]);
    expect([...a, ...b, ...c].map((r) => r.identity !== undefined)).toEqual([false, false, true, true]);
    // requests that do not say leave it to the reader
    await reader([z()]);
    expect(calls[1]).toEqual({ n: 1 });
  });
});

describe('the anchor\'s identity', () => {
  const edit = (text: string, weights: Edit['weights']) => ({ text, weights });
  const plain: FaceReading = { logits: new Float32Array(40) };
  const embedding = Float32Array.of(1, 0);

  it('is read on the face a new face or another person ends on, when its loop did not read it', async () => {
    const read = vi.fn(async (zs: Float32Array[], options?: ReadOptions) => zs.map(() => ({ logits: new Float32Array(40), ...(options?.identity ? { identity: embedding } : {}) })));
    const z = new Float32Array(2);
    const hold = { band: 0.3 };
    expect((await withAnchorIdentity(z, plain, 0, edit('a man', { Male: 1 }), hold, read)).identity).toBe(embedding);
    expect(read).toHaveBeenLastCalledWith([z], { identity: true });
    expect((await withAnchorIdentity(z, plain, 2, edit('someone else', {}), hold, read)).identity).toBe(embedding);
    expect(read).toHaveBeenCalledTimes(2);
    // not for a refinement (its anchor is the first render's), without a hold, or when the loop read it
    expect(await withAnchorIdentity(z, plain, 1, edit('add glasses', { Eyeglasses: 1 }), hold, read)).toBe(plain);
    expect(await withAnchorIdentity(z, plain, 0, edit('a man', { Male: 1 }), undefined, read)).toBe(plain);
    const read1 = { ...plain, identity: embedding };
    expect(await withAnchorIdentity(z, read1, 0, edit('a man', { Male: 1 }), hold, read)).toBe(read1);
    expect(read).toHaveBeenCalledTimes(2);
  });
});
