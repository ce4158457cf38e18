import fs from 'node:fs';
import { z } from 'zod';

/**
 * A small network fitted to what F reads on G's faces: s(z) ≈ F(G(z)), the 40 logits, the age in years and the
 * added attributes' probe logits.
 * It is the nonlinear sibling of the feature axes: where an axis is one direction for every face, the
 * surrogate's gradient at a face's z is the direction along which F's reading of that face rises, so the
 * closed loop corrects each face along its own direction (see steer.ts). Two hidden layers with SiLU; its
 * forward pass and the gradients the loop asks for cost about a millisecond in plain JavaScript.
 * Fitted by `npm run axes` (training/fit_surrogate.py) on sampled faces; stored in models/surrogate.json.
 */
export const SurrogateFileSchema = z.object({
  version: z.literal(1),
  zDim: z.number().int().positive(),
  /** Output names in order: the 40 attributes, then 'Age', then the added attributes' probes. */
  outputs: z.array(z.string()).min(1),
  /** Each output was standardised: value = net · sd + mu. */
  mu: z.array(z.number()),
  sd: z.array(z.number()),
  /** Dense layers, [out][in] weights and [out] biases, SiLU between them. */
  layers: z.array(z.object({ weight: z.array(z.array(z.number())), bias: z.array(z.number()) })).min(1),
  /** Held-out R² per output, and the linear fit's on the same split, for the record. */
  r2: z.array(z.number()).optional(),
  r2Linear: z.array(z.number()).optional(),
  /** The fingerprint (probePrint) of each added attribute's probe it was fitted on, by name. */
  probes: z.record(z.string(), z.string()).optional(),
  /** The generator this was fitted for (generator_info.json fingerprint). */
  generator: z.string().optional(),
});
export type SurrogateFile = z.infer<typeof SurrogateFileSchema>;

/**
 * What the closed loop needs of a model of F(G(z)): the gradient of named outputs (an attribute's logit, or
 * 'Age' in years) at a latent; undefined for a name it does not model (the loop then uses the axis).
 */
export interface LocalModel {
  readonly zDim: number;
  gradients(z: Float32Array, names: readonly string[]): Array<Float32Array | undefined>;
  /** The predicted outputs by name (logits, years), for the seed search's screening (src/latent/seed-search.ts). */
  predict?(z: Float32Array): Map<string, number>;
}

interface Dense {
  w: Float32Array; // [out * in]
  b: Float32Array;
  in: number;
  out: number;
}

const sigmoid = (a: number) => 1 / (1 + Math.exp(-a));

export class Surrogate implements LocalModel {
  private readonly layers: Dense[];
  private readonly index: Map<string, number>;

  /** `ignore`: outputs the loop must not use (a probe learned again since the fit: its axis steers it instead). */
  constructor(private readonly file: SurrogateFile, ignore: ReadonlySet<string> = new Set()) {
    this.layers = file.layers.map((l, i) => {
      const out = l.weight.length;
      const inn = l.weight[0]?.length ?? 0;
      if (l.bias.length !== out || l.weight.some((r) => r.length !== inn)) throw new Error(`surrogate layer ${i}: ragged weights`);
      const w = new Float32Array(out * inn);
      l.weight.forEach((r, o) => w.set(r, o * inn));
      return { w, b: Float32Array.from(l.bias), in: inn, out };
    });
    if (this.layers[0]!.in !== file.zDim) throw new Error(`surrogate: first layer takes ${this.layers[0]!.in} inputs, not zDim ${file.zDim}`);
    for (let i = 1; i < this.layers.length; i++) {
      if (this.layers[i]!.in !== this.layers[i - 1]!.out) throw new Error(`surrogate layer ${i}: takes ${this.layers[i]!.in}, gets ${this.layers[i - 1]!.out}`);
    }
    const outs = this.layers.at(-1)!.out;
    if (file.outputs.length !== outs || file.mu.length !== outs || file.sd.length !== outs) {
      throw new Error(`surrogate: ${outs} outputs, but ${file.outputs.length} names, ${file.mu.length} means, ${file.sd.length} spreads`);
    }
    this.index = new Map(file.outputs.flatMap((n, i) => (ignore.has(n) ? [] : [[n, i] as const])));
  }

  static fromFile(file: string): Surrogate {
    return new Surrogate(SurrogateFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))));
  }

  /**
   * The outputs for added attributes this surrogate cannot speak for, given the probes loaded now (name →
   * probePrint): fitted on another probe of that name, or without a print. The 40 and 'Age' are F's own.
   */
  staleProbes(current: ReadonlyMap<string, string>, own: ReadonlySet<string>): string[] {
    return this.file.outputs.filter((n) => !own.has(n) && current.has(n) && this.file.probes?.[n] !== current.get(n));
  }

  /** The same network without the outputs named (the loop then steers them along their axes). */
  without(names: readonly string[]): Surrogate {
    return names.length === 0 ? this : new Surrogate(this.file, new Set(names));
  }

  get zDim(): number {
    return this.file.zDim;
  }

  get generator(): string | undefined {
    return this.file.generator;
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  /** Pre-activations of every layer at z (the last is the output, standardised). */
  private forward(z: Float32Array): Float32Array[] {
    if (z.length !== this.file.zDim) throw new Error(`surrogate: z has ${z.length} numbers, not ${this.file.zDim}`);
    const pre: Float32Array[] = [];
    let x: Float32Array = z;
    for (const [li, l] of this.layers.entries()) {
      const a = dense(l, x);
      pre.push(a);
      x = li < this.layers.length - 1 ? a.map((v) => v * sigmoid(v)) : a;
    }
    return pre;
  }

  /** The last hidden layer's activations at z (what the output layer reads; src/cli/surrogate-add.ts fits new outputs on them). */
  hidden(z: Float32Array): Float32Array {
    const pre = this.forward(z);
    if (pre.length < 2) throw new Error('surrogate: no hidden layer');
    return pre.at(-2)!.map((v) => v * sigmoid(v));
  }

  /** The predicted outputs (logits, years) by name. */
  predict(z: Float32Array): Map<string, number> {
    const y = this.forward(z).at(-1)!;
    return new Map([...this.index].map(([n, i]) => [n, y[i]! * this.file.sd[i]! + this.file.mu[i]!]));
  }

  /**
   * The gradient of each named output with respect to z (in the output's own units per unit of z); one forward
   * pass and one backward pass per name. Unknown names give undefined.
   */
  gradients(z: Float32Array, names: readonly string[]): Array<Float32Array | undefined> {
    const pre = this.forward(z);
    return names.map((name) => {
      const k = this.index.get(name);
      if (k === undefined) return undefined;
      // back from the output k through the layers
      let g = new Float32Array(this.layers.at(-1)!.out);
      g[k] = this.file.sd[k]!;
      for (let li = this.layers.length - 1; li >= 0; li--) {
        const l = this.layers[li]!;
        const back = denseBack(l, g);
        if (li > 0) {
          // through the SiLU of the layer below: d/da (a·σ(a)) = σ(a)(1 + a(1 − σ(a)))
          const a = pre[li - 1]!;
          for (let i = 0; i < l.in; i++) {
            const s = sigmoid(a[i]!);
            back[i]! *= s * (1 + a[i]! * (1 - s));
          }
        }
        g = back;
      }
      return g;
    });
  }
}

/**
 * One dense layer, w·x + b, each output summed in double precision from its bias over the inputs in order (so the
 * same numbers on every machine), four outputs at a time: four independent sums keep the processor busy where one
 * waits on each addition (about 2× faster in V8 measured through the loop, the same bits as one output at a time).
 */
function dense(l: Dense, x: Float32Array): Float32Array {
  const a = new Float32Array(l.out);
  const n = l.in;
  const w = l.w;
  let o = 0;
  for (; o + 4 <= l.out; o += 4) {
    const r0 = o * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    let s0 = l.b[o]!, s1 = l.b[o + 1]!, s2 = l.b[o + 2]!, s3 = l.b[o + 3]!;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      s0 += w[r0 + i]! * xi;
      s1 += w[r1 + i]! * xi;
      s2 += w[r2 + i]! * xi;
      s3 += w[r3 + i]! * xi;
    }
    a[o] = s0;
    a[o + 1] = s1;
    a[o + 2] = s2;
    a[o + 3] = s3;
  }
  for (; o < l.out; o++) {
    let s0 = l.b[o]!;
    const r0 = o * n;
    for (let i = 0; i < n; i++) s0 += w[r0 + i]! * x[i]!;
    a[o] = s0;
  }
  return a;
}

/**
 * The gradient through one dense layer, wᵀ·g: each input's sum over the outputs in order, skipping outputs whose
 * gradient is 0, rounded to float32 after every addition (as a Float32Array accumulates), four outputs at a time
 * (the same bits as one at a time; one load and store of each input's sum per four).
 */
function denseBack(l: Dense, g: Float32Array): Float32Array<ArrayBuffer> {
  const back = new Float32Array(l.in);
  const n = l.in;
  const w = l.w;
  const rows: number[] = [];
  for (let o = 0; o < l.out; o++) if (g[o] !== 0) rows.push(o);
  let k = 0;
  for (; k + 4 <= rows.length; k += 4) {
    const [o0, o1, o2, o3] = [rows[k]!, rows[k + 1]!, rows[k + 2]!, rows[k + 3]!];
    const g0 = g[o0]!, g1 = g[o1]!, g2 = g[o2]!, g3 = g[o3]!;
    const r0 = o0 * n, r1 = o1 * n, r2 = o2 * n, r3 = o3 * n;
    for (let i = 0; i < n; i++) {
      let t = back[i]!;
      t = Math.fround(t + g0 * w[r0 + i]!);
      t = Math.fround(t + g1 * w[r1 + i]!);
      t = Math.fround(t + g2 * w[r2 + i]!);
      back[i] = t + g3 * w[r3 + i]!;
    }
  }
  for (; k < rows.length; k++) {
    const o = rows[k]!;
    const go = g[o]!;
    const row = o * n;
    for (let i = 0; i < n; i++) back[i]! += go * w[row + i]!;
  }
  return back;
}
