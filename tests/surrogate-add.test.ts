import { describe, expect, it } from 'vitest';
import { Surrogate, type SurrogateFile } from '../src/latent/surrogate.js';
import { withAddedOutputs } from '../src/cli/surrogate-add.js';

/** A small seeded network (4 -> 6 -> 5 -> 3) in surrogate.json's form, and a seeded stream for latents. */
function stream(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}
function tinyFile(): SurrogateFile {
  const rnd = stream(7);
  const layer = (out: number, inn: number) => ({
    weight: Array.from({ length: out }, () => Array.from({ length: inn }, () => 2 * rnd())),
    bias: Array.from({ length: out }, () => rnd()),
  });
  return {
    version: 1, zDim: 4, outputs: ['Smiling', 'Male', 'Age'], mu: [0.5, -1, 35], sd: [2, 3, 10],
    layers: [layer(6, 4), layer(5, 6), layer(3, 5)], r2: [0.9, 0.8, 0.7], r2Linear: [0.5, 0.4, 0.3], probes: {}, generator: 'abc123def456',
  };
}
const latents = (n: number) => {
  const rnd = stream(11);
  return Array.from({ length: n }, () => Float32Array.from({ length: 4 }, () => 4 * rnd()));
};

describe('a probe added to the surrogate after its fit (npm run surrogate -- --add)', () => {
  const file = tinyFile();
  const zs = latents(400);
  const net = new Surrogate(file);
  // a target the last hidden layer reads linearly: the new output should learn it
  const target = Float32Array.from(zs, (z) => {
    const h = net.hidden(z);
    return 1.5 * h[0]! - 2 * h[3]! + 0.7;
  });

  it('fits the new output on the last hidden layer and leaves every other output the same bits', () => {
    const { file: next, r2 } = withAddedOutputs(file, zs, [{ name: 'Sunglasses', print: 'p1', values: target }]);
    expect(next.outputs).toEqual(['Smiling', 'Male', 'Age', 'Sunglasses']);
    expect(next.probes).toEqual({ Sunglasses: 'p1' });
    expect(r2[0]).toBeGreaterThan(0.99);
    expect(next.r2?.length).toBe(4);
    expect(next.r2Linear?.length).toBe(4);
    const after = new Surrogate(next);
    for (const z of zs.slice(0, 20)) {
      const [a, b] = [net.predict(z), after.predict(z)];
      for (const name of ['Smiling', 'Male', 'Age']) expect(b.get(name)).toBe(a.get(name));
      expect(b.get('Sunglasses')).toBeCloseTo(1.5 * net.hidden(z)[0]! - 2 * net.hidden(z)[3]! + 0.7, 1); // the ridge penalty shrinks it a little
      const [g0] = net.gradients(z, ['Male']);
      const [g1, gs] = after.gradients(z, ['Male', 'Sunglasses']);
      expect(Array.from(g1!)).toEqual(Array.from(g0!));
      expect(gs!.some((v) => v !== 0)).toBe(true);
    }
    expect(file.outputs).toEqual(['Smiling', 'Male', 'Age']); // the input is not changed
  });

  it('says how poorly a target the hidden layer cannot read is fitted', () => {
    const rnd = stream(3);
    const noise = Float32Array.from(zs, () => rnd());
    const { r2 } = withAddedOutputs(file, zs, [{ name: 'Noise', print: 'p', values: noise }]);
    expect(r2[0]).toBeLessThan(0.2);
  });

  it('refuses an output it already has, and values that do not match the latents', () => {
    expect(() => withAddedOutputs(file, zs, [{ name: 'Male', print: 'p', values: target }])).toThrow(/already has Male/);
    expect(() => withAddedOutputs(file, zs, [{ name: 'X', print: 'p', values: target.subarray(1) }])).toThrow(/one value per latent/);
  });
});

describe('an added output fitted again after its probe was learned again (npm run surrogate -- --replace)', () => {
  const zs = latents(400);
  const withTwo = (() => {
    const base = tinyFile();
    const net = new Surrogate(base);
    const a = Float32Array.from(zs, (z) => net.hidden(z)[1]! - 0.5);
    const b = Float32Array.from(zs, (z) => 2 * net.hidden(z)[2]! + 1);
    return withAddedOutputs(base, zs, [{ name: 'Freckles', print: 'old', values: a }, { name: 'Sunglasses', print: 's1', values: b }]).file;
  })();
  const net = new Surrogate(withTwo);
  const relearned = Float32Array.from(zs, (z) => -3 * net.hidden(z)[4]! + 0.2);

  it('fits the named output again in its place, and every other output keeps its bits', () => {
    const { file: next, r2 } = withAddedOutputs(withTwo, zs, [{ name: 'Freckles', print: 'new', values: relearned }], ['Freckles']);
    expect(next.outputs).toEqual(['Smiling', 'Male', 'Age', 'Freckles', 'Sunglasses']);
    expect(next.probes).toEqual({ Freckles: 'new', Sunglasses: 's1' });
    expect(r2[0]).toBeGreaterThan(0.99);
    expect(next.r2?.length).toBe(5);
    expect(next.r2Linear?.length).toBe(5);
    expect(next.r2?.[4]).toBe(withTwo.r2?.[4]);
    const after = new Surrogate(next);
    for (const z of zs.slice(0, 20)) {
      const [p0, p1] = [net.predict(z), after.predict(z)];
      for (const name of ['Smiling', 'Male', 'Age', 'Sunglasses']) expect(p1.get(name)).toBe(p0.get(name));
      expect(Math.abs(p1.get('Freckles')! - (-3 * net.hidden(z)[4]! + 0.2))).toBeLessThan(0.1); // the new probe (a little shrunk by the ridge), not the old
      expect(Math.abs(p1.get('Freckles')! - p0.get('Freckles')!)).toBeGreaterThan(0);
      const [g0] = net.gradients(z, ['Sunglasses']);
      const [g1] = after.gradients(z, ['Sunglasses']);
      expect(Array.from(g1!)).toEqual(Array.from(g0!));
    }
    expect(withTwo.probes).toEqual({ Freckles: 'old', Sunglasses: 's1' }); // the input is not changed
    // the loaded probe's print now matches: the loop uses the output again instead of the axis
    expect(after.staleProbes(new Map([['Freckles', 'new'], ['Sunglasses', 's1']]), new Set(['Smiling', 'Male', 'Age']))).toEqual([]);
    expect(net.staleProbes(new Map([['Freckles', 'new'], ['Sunglasses', 's1']]), new Set(['Smiling', 'Male', 'Age']))).toEqual(['Freckles']);
  });

  it("refuses to replace F's own outputs, outputs it does not have, or one given no values", () => {
    expect(() => withAddedOutputs(withTwo, zs, [{ name: 'Male', print: 'p', values: relearned }], ['Male'])).toThrow(/not an added attribute's output/);
    expect(() => withAddedOutputs(withTwo, zs, [{ name: 'Moles', print: 'p', values: relearned }], ['Moles'])).toThrow(/not an added attribute's output/);
    expect(() => withAddedOutputs(withTwo, zs, [], ['Freckles'])).toThrow(/no values given for Freckles/);
    expect(() => withAddedOutputs(withTwo, zs, [{ name: 'Freckles', print: 'p', values: relearned }])).toThrow(/already has Freckles/);
  });
});
