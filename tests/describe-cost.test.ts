import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import type { EngineReply } from '../src/conversation/types.js';
import { AGE_BAND_FACTOR, embeddingDistance } from '../src/latent/identity-hold.js';
import { steerFace } from '../src/latent/steer.js';
import { Classifier } from '../src/render/classifier.js';
import { IdentityNet } from '../src/render/identity.js';
import { engineModels, loadFaceModels, type FaceModels } from '../src/render/models.js';
import { RECENT_FACES } from '../src/render/recent.js';
import { FakeStore } from './helpers/fake-store.js';

/**
 * What a one-message face costs through the engine (issue 24 part 5), with real (tiny) ONNX models: the fixture
 * G, F and axes and the fixture identity network. A new face holds nothing, so the identity network reads only
 * the face its refinements will be held to; a refinement reads it on every pass and is held as before; and the
 * faces are the same as when every read carried the identity and nothing was remembered.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-describe-cost-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const BAND = 0.04;

function modelsDir(name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(path.resolve('tests/fixtures/models'), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'identity.json'), JSON.stringify({ threshold: BAND }));
  return dir;
}

const load = (name: string) => loadFaceModels({ modelsDir: modelsDir(name), provider: 'cpu', renderSize: 64, queueCapacity: 8, maxBatch: 8, timeoutMs: 10_000, recentFaces: RECENT_FACES });

/** The engine on these models, and the latent of each face it drew (what its reply's picture was rendered from). */
function engineOn(models: FaceModels) {
  const deps = engineModels(models);
  const drawn: Float32Array[] = [];
  const renderer = {
    zDim: deps.renderer.zDim,
    renderPng: (z: Float32Array) => (drawn.push(Float32Array.from(z)), deps.renderer.renderPng(z)),
    runInLine: deps.renderer.runInLine.bind(deps.renderer),
  };
  return { engine: createEngine({ store: new FakeStore(), ...deps, renderer, random: () => 0.5, now: () => 1 }), drawn };
}

/** How many faces a network was run on, from here on. */
function facesRun(proto: object, method: string): { faces: number } {
  const seen = { faces: 0 };
  const original = (proto as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
  vi.spyOn(proto as Record<string, (...a: unknown[]) => Promise<unknown>>, method).mockImplementation(function (this: unknown, ...args: unknown[]) {
    seen.faces += (args[0] as { count: number }).count;
    return original.apply(this, args);
  });
  return seen;
}

/** How many faces G's ONNX session drew, from here on. */
function gRuns(models: FaceModels): { faces: number } {
  const seen = { faces: 0 };
  const session = (models.generator as unknown as { loaded: { session: { run: (feeds: Record<string, { dims: readonly number[] }>) => Promise<unknown> } } }).loaded.session;
  const original = session.run.bind(session);
  vi.spyOn(session, 'run').mockImplementation((feeds) => {
    seen.faces += feeds.z!.dims[0]!;
    return original(feeds);
  });
  return seen;
}

const face = (r: EngineReply) => {
  if (r.kind !== 'face') throw new Error(`expected a face: ${JSON.stringify(r).slice(0, 300)}`);
  return r.face;
};

describe('a one-message face through the engine', () => {
  it('reads the identity network on one face, the one its refinements are held to, whatever the search and the loop drew', async () => {
    const models = await load('new-face');
    try {
      const { engine } = engineOn(models);
      const identity = facesRun(IdentityNet.prototype, 'embed');
      const f = facesRun(Classifier.prototype, 'read');
      const g = gRuns(models);
      for (const [seed, words] of [[3, 'a man with glasses'], [4, 'a smiling woman'], [5, 'an old man wearing a hat']] as const) {
        const before = { identity: identity.faces, f: f.faces, g: g.faces };
        const made = face(await engine.describe({ userId: `u${seed}` }, words, seed));
        expect(made.edits[0]!.start).toBeDefined(); // the seed search ran: several faces read by F
        expect(f.faces - before.f).toBeGreaterThan(3);
        expect(identity.faces - before.identity).toBe(1);
        // each face drawn once and read once: the loop starts from the search's read, the reply's picture is the loop's face
        expect(g.faces - before.g).toBe(f.faces - before.f);
      }
    } finally {
      await models.close();
    }
  });

  it('draws the same faces for several people describing at once (sharing the remembered faces) as one at a time', async () => {
    const alone = await load('alone');
    const together = await load('together');
    try {
      const asks = [[11, 'a man with glasses'], [12, 'a smiling woman'], [13, 'an old man wearing a hat'], [14, 'a woman with blond hair']] as const;
      const one = engineOn(alone);
      for (const [seed, words] of asks) face(await one.engine.describe({ userId: `u${seed}` }, words, seed));
      const many = engineOn(together);
      const made = await Promise.all(asks.map(([seed, words]) => many.engine.describe({ userId: `u${seed}` }, words, seed)));
      made.forEach((r, i) => expect(face(r).seed).toBe(asks[i]![0]));
      const bytes = (zs: Float32Array[]) => zs.map((z) => Buffer.from(z.buffer, z.byteOffset, z.byteLength).toString('hex')).sort();
      expect(many.drawn).toHaveLength(asks.length);
      expect(bytes(many.drawn)).toEqual(bytes(one.drawn));
    } finally {
      await Promise.all([alone.close(), together.close()]);
    }
  });

  it('still reads identity through a refinement and holds it to the first render, drawing the faces it drew when every read carried the identity', async () => {
    const models = await load('chain');
    const reference = await load('reference');
    try {
      const { engine, drawn } = engineOn(models);
      // the reference: every read by a fresh scorer with the identity network, nothing remembered between steps
      const readAll = (zs: Float32Array[]) => reference.scorer.read(zs);
      const open = reference.axes.withIdentityHold(undefined);
      const identity = facesRun(IdentityNet.prototype, 'embed');
      let left = 0;
      let refined = 0;
      for (let seed = 1; seed <= 8; seed++) {
        const ctx = { userId: `chain-${seed}` };
        const first = face(await engine.describe(ctx, 'a man', seed));
        const firstZ = drawn.at(-1)!;
        let last = first;
        // the age first: its words are held within a wider band (AGE_BAND_FACTOR), the later ones to BAND again
        for (const words of ['make him younger', 'add glasses', 'give him a hat']) {
          const before = identity.faces;
          const reply = await engine.refine(ctx, words);
          if (reply.kind === 'text') continue; // nothing changed on this seed: no face, nothing read
          last = face(reply);
          refined++;
          expect(identity.faces - before).toBeGreaterThanOrEqual(2); // each held pass is read by the network
        }
        const origin = await steerFace(first, reference.axes, readAll);
        const held = await steerFace(last, reference.axes, readAll);
        expect(Array.from(firstZ)).toEqual(Array.from(origin.z));
        expect(Array.from(drawn.at(-1)!)).toEqual(Array.from(held.z));
        // no further than the chain's widest band: its age words' (AGE_BAND_FACTOR), which later words do not undo
        expect(embeddingDistance(held.reading.identity!, origin.reading.identity!)).toBeLessThanOrEqual(BAND * AGE_BAND_FACTOR + 1e-6);
        const free = await steerFace(last, open, readAll);
        if (embeddingDistance(free.reading.identity!, origin.reading.identity!) > BAND) left++;
      }
      expect(refined).toBeGreaterThanOrEqual(16);
      expect(left).toBeGreaterThanOrEqual(3); // the hold had work to do
    } finally {
      await Promise.all([models.close(), reference.close()]);
    }
  });
});
