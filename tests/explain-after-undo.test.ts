import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import { ATTRIBUTES } from '../src/face/attributes.js';
import { dot } from '../src/latent/vector.js';
import type { FaceScorer, RenderOptions } from '../src/render/types.js';
import { FakeRenderer, makeFakeAxes } from './helpers/fake-render.js';
import { FakeStore } from './helpers/fake-store.js';

/** Issue 27: explain reads the face the user is shown, even when asked while an undo is still drawing. */

const axes = makeFakeAxes();

/** F on the fake axes, reading glasses only: the probability follows the face's coordinate on that axis. */
class GlassesScorer implements FaceScorer {
  async scoreLatent(z: Float32Array): Promise<Float32Array> {
    const glasses = 1 / (1 + Math.exp(-3 * dot(z, axes.require('Eyeglasses').vector)));
    return Float32Array.from(ATTRIBUTES, (name) => (name === 'Eyeglasses' ? glasses : 0.3));
  }
}

/** Renders wait while `held` (a render in the queue, as on a busy bot). */
class HeldRenderer extends FakeRenderer {
  private release: (() => void) | undefined;
  private gate: Promise<void> = Promise.resolve();
  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  letGo(): void {
    this.release?.();
  }
  override async renderPng(z: Float32Array, options?: RenderOptions): Promise<Buffer> {
    await this.gate;
    return super.renderPng(z, options);
  }
}

describe('explain right after undo', () => {
  it('reads the face the undo brings back, not the one undone', async () => {
    const renderer = new HeldRenderer();
    const engine = createEngine({ store: new FakeStore(), renderer, scorer: new GlassesScorer(), axes, model: 'm', random: () => 0.5, now: () => 1 });
    const ctx = { userId: 'u' };
    await engine.describe(ctx, 'a woman without glasses');
    await engine.refine(ctx, 'with glasses');
    const withGlasses = await engine.explain(ctx);
    expect(withGlasses.kind === 'text' && withGlasses.text).toMatch(/glasses \(\d+%\)/);

    renderer.hold();
    const undone = engine.undo(ctx);
    const explained = engine.explain(ctx); // asked while the undo is still drawing
    await new Promise((r) => setTimeout(r, 10));
    renderer.letGo();
    expect((await undone).kind).toBe('face');
    const reply = await explained;
    expect(reply.kind === 'text' && reply.text).not.toMatch(/glasses \(\d+%\)/);
  });
});
