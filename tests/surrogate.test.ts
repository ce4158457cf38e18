import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Surrogate, type SurrogateFile } from '../src/latent/surrogate.js';
import { surrogateFor } from '../src/render/models.js';
import { probePrint, type Probe } from '../src/latent/probe.js';
import type { AttributeName } from '../src/face/attributes.js';

/** A small random network (4 -> 6 -> 5 -> 3), seeded, in surrogate.json's form. */
function tinyFile(seed = 1): SurrogateFile {
  let s = seed;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
  const layer = (out: number, inn: number) => ({
    weight: Array.from({ length: out }, () => Array.from({ length: inn }, () => 2 * rnd())),
    bias: Array.from({ length: out }, () => rnd()),
  });
  return {
    version: 1, zDim: 4, outputs: ['Smiling', 'Male', 'Age'], mu: [0.5, -1, 35], sd: [2, 3, 10],
    layers: [layer(6, 4), layer(5, 6), layer(3, 5)], generator: 'abc123def456',
  };
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** The network's forward pass by hand, one output at a time, each summed in float32 order from its bias: every layer's pre-activations and the last layer's (standardised) outputs. */
function forwardByHand(file: SurrogateFile, z0: Float32Array): { pre: Float32Array[]; out: Float32Array } {
  const pre: Float32Array[] = [];
  let x = z0;
  file.layers.forEach((l, li) => {
    const a = new Float32Array(l.bias.length);
    l.weight.forEach((row, o) => {
      let sum = Math.fround(l.bias[o]!);
      row.forEach((w, i) => (sum += Math.fround(w) * x[i]!));
      a[o] = sum;
    });
    pre.push(a);
    x = li < file.layers.length - 1 ? a.map((v) => v * sig(v)) : a;
  });
  return { pre, out: x };
}

describe('the surrogate of F(G(z))', () => {
  const net = new Surrogate(tinyFile());
  const z = Float32Array.from([0.3, -1.2, 0.7, 2.0]);

  it('gives the gradient of each named output, as finite differences measure it', () => {
    const grads = net.gradients(z, ['Smiling', 'Age', 'Male']);
    const eps = 1e-3;
    for (const [j, name] of ['Smiling', 'Age', 'Male'].entries()) {
      for (let d = 0; d < 4; d++) {
        const up = Float32Array.from(z);
        const down = Float32Array.from(z);
        up[d]! += eps;
        down[d]! -= eps;
        const fd = (net.predict(up).get(name)! - net.predict(down).get(name)!) / (2 * eps);
        expect(grads[j]![d]).toBeCloseTo(fd, 2);
      }
    }
  });

  it('undoes the standardisation: outputs and gradients are in logits and years', () => {
    const f = tinyFile();
    const doubled = new Surrogate({ ...f, sd: f.sd.map((v) => 2 * v), mu: f.mu.map((v) => v + 1) });
    const a = net.predict(z);
    const b = doubled.predict(z);
    for (const name of f.outputs) expect(b.get(name)! - 1 - f.mu[f.outputs.indexOf(name)]!).toBeCloseTo(2 * (a.get(name)! - f.mu[f.outputs.indexOf(name)]!), 4);
    expect(doubled.gradients(z, ['Age'])[0]![2]).toBeCloseTo(2 * net.gradients(z, ['Age'])[0]![2]!, 4);
  });

  it('has no gradient for an output it does not model, and refuses a z of another size', () => {
    expect(net.gradients(z, ['Eyeglasses'])).toEqual([undefined]);
    expect(net.has('Male')).toBe(true);
    expect(net.has('Eyeglasses')).toBe(false);
    expect(() => net.predict(new Float32Array(5))).toThrow(/5 numbers, not 4/);
  });

  it('refuses files whose layers or names do not fit together', () => {
    const f = tinyFile();
    expect(() => new Surrogate({ ...f, zDim: 5 })).toThrow(/zDim 5/);
    expect(() => new Surrogate({ ...f, outputs: ['Smiling', 'Male'] })).toThrow(/3 outputs, but 2 names/);
    expect(() => new Surrogate({ ...f, layers: [f.layers[0]!, f.layers[2]!] })).toThrow(/takes 5, gets 6/);
    const ragged = { ...f, layers: [{ ...f.layers[0]!, weight: [[1, 2], ...f.layers[0]!.weight.slice(1)] }, f.layers[1]!, f.layers[2]!] };
    expect(() => new Surrogate(ragged)).toThrow(/ragged/);
  });

  describe('surrogateFor (the models folder\'s surrogate.json)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'surrogate-test-'));
    const file = path.join(dir, 'surrogate.json');

    it('is optional: no file, no surrogate and no problem', () => {
      expect(surrogateFor(path.join(dir, 'none.json'), 'abc123def456', 4)).toEqual({});
    });

    it('loads one fitted for this generator, with its fingerprint for the models version', () => {
      fs.writeFileSync(file, JSON.stringify(tinyFile()));
      const r = surrogateFor(file, 'abc123def456', 4);
      expect(r.problem).toBeUndefined();
      expect(r.surrogate?.gradients(z, ['Male'])[0]).toHaveLength(4);
      expect(r.print).toMatch(/^[0-9a-f]{12}$/);
    });

    it('is not used, with the reason and the command that remakes it, when made for another G or z, or broken', () => {
      fs.writeFileSync(file, JSON.stringify(tinyFile()));
      const other = surrogateFor(file, 'fffffffffff0', 4);
      expect(other.surrogate).toBeUndefined();
      expect(other.problem).toMatch(/another generator.*npm run surrogate/);
      expect(surrogateFor(file, 'abc123def456', 8).problem).toMatch(/z of 4 numbers, the generator 8/);
      fs.writeFileSync(file, '{"version": 1, "zDim": ');
      const broken = surrogateFor(file, 'abc123def456', 4);
      expect(broken.surrogate).toBeUndefined();
      expect(broken.problem).toMatch(/not a usable surrogate.*npm run surrogate/);
    });

    it('steers an added attribute only with the probe it was fitted on: one learned again since falls back to its axis', () => {
      const black: Probe = { name: 'Black' as AttributeName, weights: Float32Array.from([0.5, -1, 2]), bias: 0.25 };
      const relearned: Probe = { ...black, weights: Float32Array.from([0.5, -1, 2.5]) };
      const withProbe = { ...tinyFile(), outputs: ['Smiling', 'Male', 'Black'], probes: { Black: probePrint(black) } };
      fs.writeFileSync(file, JSON.stringify(withProbe));
      const same = surrogateFor(file, 'abc123def456', 4, [black]);
      expect(same.problem).toBeUndefined();
      expect(same.surrogate?.has('Black')).toBe(true);
      expect(same.surrogate?.gradients(z, ['Black'])[0]).toHaveLength(4);
      const stale = surrogateFor(file, 'abc123def456', 4, [relearned]);
      expect(stale.problem).toMatch(/other probes for Black.*steered along their axes.*npm run surrogate -- --models-dir .* --replace Black`/);
      expect(stale.surrogate?.has('Black')).toBe(false);
      expect(stale.surrogate?.gradients(z, ['Black', 'Male'])[0]).toBeUndefined();
      expect(stale.surrogate?.gradients(z, ['Black', 'Male'])[1]).toHaveLength(4);
      expect([...stale.surrogate!.predict(z).keys()]).toEqual(['Smiling', 'Male']);
      // F's own outputs never depend on the probes, and a file without prints speaks for no probe
      fs.writeFileSync(file, JSON.stringify({ ...withProbe, probes: undefined }));
      expect(surrogateFor(file, 'abc123def456', 4, [black]).surrogate?.has('Black')).toBe(false);
      expect(surrogateFor(file, 'abc123def456', 4, [black]).surrogate?.has('Male')).toBe(true);
    });
  });

  it('predicts exactly what one output at a time, summed in order from its bias, gives (layers of 6, 5 and 3 outputs: blocks of four and the rest)', () => {
    const file = tinyFile(7);
    const byHand = (z0: Float32Array) => {
      const { out } = forwardByHand(file, z0);
      return file.outputs.map((_, k) => out[k]! * file.sd[k]! + file.mu[k]!);
    };
    const model = new Surrogate(file);
    for (let k = 0; k < 20; k++) {
      const zk = Float32Array.from({ length: 4 }, (_, i) => Math.sin(3.1 * k + 1.7 * i) * 2);
      expect([...model.predict(zk).values()]).toEqual(byHand(zk));
    }
  });

  it('gives exactly the gradients of one output at a time, accumulated in float32 in order', () => {
    const file = tinyFile(11);
    const byHand = (z0: Float32Array, k: number) => {
      const { pre } = forwardByHand(file, z0);
      let g = new Float32Array(file.layers.at(-1)!.bias.length);
      g[k] = file.sd[k]!;
      for (let li = file.layers.length - 1; li >= 0; li--) {
        const l = file.layers[li]!;
        const back = new Float32Array(l.weight[0]!.length);
        l.weight.forEach((row, o) => {
          if (g[o] === 0) return;
          row.forEach((w, i) => (back[i]! += g[o]! * Math.fround(w)));
        });
        if (li > 0) back.forEach((_, i) => { const a = pre[li - 1]![i]!; const q = sig(a); back[i]! *= q * (1 + a * (1 - q)); });
        g = back;
      }
      return Array.from(g);
    };
    const model = new Surrogate(file);
    for (let j = 0; j < 10; j++) {
      const zj = Float32Array.from({ length: 4 }, (_, i) => Math.cos(2.3 * j + 0.9 * i) * 1.5);
      const got = model.gradients(zj, ['Smiling', 'Male', 'Age']);
      [0, 1, 2].forEach((k) => expect(Array.from(got[k]!)).toEqual(byHand(zj, k)));
    }
  });
});
