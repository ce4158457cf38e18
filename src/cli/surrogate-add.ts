import { ridgeFit } from '../latent/ridge.js';
import { Surrogate, type SurrogateFile } from '../latent/surrogate.js';

/** F's logits beyond ±8 say "certainly": the fit need not follow them further (training/fit_surrogate.py's clip). */
const LOGIT_CLIP = 8;
/** Ridge penalty per sample on the standardised target (the hidden features are of order 1). */
const LAMBDA_PER_SAMPLE = 1e-3;

export interface AddedOutput {
  name: string;
  /** The probe's fingerprint (probePrint), recorded as the surrogate's other probes are. */
  print: string;
  /** The probe's logit on each sampled face, in the order of the latents. */
  values: Float32Array;
}

/**
 * The surrogate with more outputs, every other output the same bits: each new output is a linear read of the
 * last hidden layer (a ridge fit on the sampled faces, the first tenth held out for its R², as fit_surrogate.py
 * holds it out), appended to the output layer. A probe added after the surrogate's fit (npm run attribute -- add)
 * then steers by its own gradient at each face, as the fitted ones do, without a new fit that would move every
 * other face a little.
 *
 * `replace`: those names are outputs the surrogate already has for an added attribute (they have a print in
 * `probes`) whose probe was learned again: each one's row of the output layer, its mu, sd, print and R² are
 * fitted again in place (same position), and every other output keeps its bits.
 */
export function withAddedOutputs(
  file: SurrogateFile, zs: readonly Float32Array[], added: readonly AddedOutput[], replace: readonly string[] = [],
): { file: SurrogateFile; r2: number[] } {
  const net = new Surrogate(file);
  const n = zs.length;
  const taken = added.filter((a) => file.outputs.includes(a.name) && !replace.includes(a.name));
  if (taken.length > 0) throw new Error(`the surrogate already has ${taken.map((a) => a.name).join(', ')}: replace it (--replace) or refit it (npm run surrogate)`);
  const notAdded = replace.filter((name) => !file.probes?.[name] || !file.outputs.includes(name));
  if (notAdded.length > 0) throw new Error(`${notAdded.join(', ')}: not an added attribute's output of this surrogate, nothing to replace`);
  const missing = replace.filter((name) => !added.some((a) => a.name === name));
  if (missing.length > 0) throw new Error(`no values given for ${missing.join(', ')}`);
  if (added.some((a) => a.values.length !== n)) throw new Error(`each added output needs one value per latent (${n})`);
  const held = Math.floor(n / 10);
  if (held < 10) throw new Error('too few latents to hold out a tenth');
  const hidden = zs.map((z) => net.hidden(z));
  const d = hidden[0]!.length;
  const x = new Float64Array((n - held) * d);
  for (let i = held; i < n; i++) x.set(hidden[i]!, (i - held) * d);
  const last = file.layers.at(-1)!;
  const out: SurrogateFile = { ...file, outputs: [...file.outputs], mu: [...file.mu], sd: [...file.sd], layers: [...file.layers.slice(0, -1), { weight: [...last.weight], bias: [...last.bias] }], probes: { ...(file.probes ?? {}) } };
  if (file.r2) out.r2 = [...file.r2];
  if (file.r2Linear) out.r2Linear = [...file.r2Linear];
  const zDim = zs[0]!.length;
  const zx = new Float64Array((n - held) * zDim);
  for (let i = held; i < n; i++) zx.set(zs[i]!, (i - held) * zDim);
  const r2: number[] = [];
  for (const a of added) {
    const y = Float64Array.from(a.values, (v) => Math.max(-LOGIT_CLIP, Math.min(LOGIT_CLIP, v)));
    const train = y.subarray(held);
    const mu = train.reduce((s, v) => s + v, 0) / train.length;
    const sd = Math.max(1e-6, Math.sqrt(train.reduce((s, v) => s + (v - mu) ** 2, 0) / (train.length - 1)));
    const fit = ridgeFit(x, Float64Array.from(train, (v) => (v - mu) / sd), n - held, d, 1, LAMBDA_PER_SAMPLE * (n - held));
    const w = fit.weights[0]!;
    const b = fit.intercepts[0]!;
    const linear = ridgeFit(zx, train, n - held, zDim, 1, 1);
    const score = heldOutR2(y, held, (i) => (dot(w, hidden[i]!) + b) * sd + mu);
    const scoreLinear = heldOutR2(y, held, (i) => dot(linear.weights[0]!, zs[i]!) + linear.intercepts[0]!);
    const at = replace.includes(a.name) ? out.outputs.indexOf(a.name) : out.outputs.length;
    out.layers.at(-1)!.weight[at] = Array.from(w);
    out.layers.at(-1)!.bias[at] = b;
    out.outputs[at] = a.name;
    out.mu[at] = mu;
    out.sd[at] = sd;
    out.probes![a.name] = a.print;
    if (out.r2) out.r2[at] = Math.round(score * 1e4) / 1e4;
    if (out.r2Linear) out.r2Linear[at] = Math.round(scoreLinear * 1e4) / 1e4;
    r2.push(score);
  }
  return { file: out, r2 };
}

function dot(w: ArrayLike<number>, x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < w.length; j++) s += w[j]! * x[j]!;
  return s;
}

/** R² of `predict` on the first `held` values of y. */
function heldOutR2(y: Float64Array, held: number, predict: (i: number) => number): number {
  const mean = y.subarray(0, held).reduce((s, v) => s + v, 0) / held;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < held; i++) {
    sse += (predict(i) - y[i]!) ** 2;
    sst += (y[i]! - mean) ** 2;
  }
  return 1 - sse / Math.max(sst, 1e-12);
}
