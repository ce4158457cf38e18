/**
 * Linear probes on F's features: how an added attribute (`npm run attribute -- add`) is read from a face.
 *
 * F's `features` output is the layer its 40-logit head reads (256 numbers for the shipped F). A probe is one
 * more such head, learned from two folders of photos: L2-regularised logistic regression (IRLS) on the
 * standardised features, the two folders weighted equally (so p = 0.5 means "as likely one as the other"
 * whatever their sizes), folded back into one weight vector and bias on the raw features. Its logit is
 * then read like one of F's own: the closed loop steers it (steer.ts) and axis discovery regresses it on z.
 */
import { createHash } from 'node:crypto';
import type { AttributeName } from '../face/attributes.js';
import { auc, cholesky, choleskySolve } from './ridge.js';

/** One added attribute's probe: logit = weights · features + bias. */
export interface Probe {
  name: AttributeName;
  weights: Float32Array;
  bias: number;
}

/**
 * A probe's fingerprint (12 hex digits of the SHA-256 of its weights and bias): the surrogate records the prints
 * of the probes it was fitted on, so a probe learned again under the same name is not steered by a stale model.
 */
export function probePrint(p: Pick<Probe, 'weights' | 'bias'>): string {
  const h = createHash('sha256');
  h.update(Buffer.from(p.weights.buffer, p.weights.byteOffset, p.weights.byteLength));
  h.update(Buffer.from(Float64Array.of(p.bias).buffer));
  return h.digest('hex').slice(0, 12);
}

/** The logits of `probes` for n feature rows ([n, dim], row-major): row-major [n, probes.length]. */
export function probeLogits(probes: readonly Probe[], features: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * probes.length);
  for (const p of probes) {
    if (p.weights.length !== dim) throw new RangeError(`probe ${p.name} reads ${p.weights.length} features, F gives ${dim}`);
  }
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    probes.forEach((p, k) => {
      let s = p.bias;
      const w = p.weights;
      for (let j = 0; j < dim; j++) s += w[j]! * features[off + j]!;
      out[i * probes.length + k] = s;
    });
  }
  return out;
}

export interface LogisticOptions {
  /** L2 penalty on the standardised weights (not the bias). */
  lambda: number;
  maxIterations?: number;
  /** How Newton steps are solved: 'auto' (iterative when there are more features than rows), or either one. */
  solver?: 'auto' | 'direct' | 'iterative';
}

export interface LogisticFit {
  /** On the raw features. */
  weights: Float64Array;
  bias: number;
}

/**
 * Weighted L2 logistic regression by Newton's method (IRLS) on standardised columns. x: n rows of d
 * features (row-major); y: 1 or 0; w: a weight per row. Returns weights and bias on the raw features.
 */
export function fitLogistic(
  x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>, n: number, d: number, opts: LogisticOptions,
): LogisticFit {
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    wsum += w[i]!;
    for (let j = 0; j < d; j++) mean[j]! += w[i]! * x[i * d + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= wsum;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j]! += w[i]! * (x[i * d + j]! - mean[j]!) ** 2;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]! / wsum) || 1;
  // standardised design with a constant column last
  const e = d + 1;
  const z = new Float64Array(n * e);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[i * e + j] = (x[i * d + j]! - mean[j]!) / sd[j]!;
    z[i * e + d] = 1;
  }
  const beta = new Float64Array(e);
  const lossAt = (b: Float64Array) => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < e; j++) s += z[i * e + j]! * b[j]!;
      // log(1 + exp(-s)) for y = 1, log(1 + exp(s)) for y = 0, stably
      const t = y[i]! > 0.5 ? -s : s;
      loss += w[i]! * (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));
    }
    let pen = 0;
    for (let j = 0; j < d; j++) pen += b[j]! ** 2;
    return loss + 0.5 * opts.lambda * pen;
  };
  let loss = lossAt(beta);
  const maxIt = opts.maxIterations ?? 12;
  // many features and few rows (the fixture's 768 features): conjugate gradients on Hessian-vector products
  // (cost rows x features each) instead of building and factorising the features x features Hessian
  const iterative = opts.solver === 'iterative' || (opts.solver !== 'direct' && e > n);
  for (let it = 0; it < maxIt; it++) {
    const grad = new Float64Array(e);
    const curv = new Float64Array(n);
    const hess = iterative ? undefined : new Float64Array(e * e);
    for (let i = 0; i < n; i++) {
      const row = i * e;
      let s = 0;
      for (let j = 0; j < e; j++) s += z[row + j]! * beta[j]!;
      const p = 1 / (1 + Math.exp(-s));
      const r = w[i]! * (p - y[i]!);
      const h = w[i]! * Math.max(p * (1 - p), 1e-9);
      curv[i] = h;
      for (let a = 0; a < e; a++) {
        const za = z[row + a]!;
        if (za === 0) continue;
        grad[a]! += r * za;
        if (!hess) continue;
        const hz = h * za;
        const off = a * e;
        for (let b = a; b < e; b++) hess[off + b]! += hz * z[row + b]!;
      }
    }
    const diag = (a: number) => (a < d ? opts.lambda : 1e-9);
    for (let a = 0; a < d; a++) grad[a]! += opts.lambda * beta[a]!;
    let step: Float64Array;
    if (hess) {
      for (let a = 0; a < e; a++) {
        hess[a * e + a]! += diag(a);
        for (let b = 0; b < a; b++) hess[a * e + b] = hess[b * e + a]!;
      }
      step = choleskySolve(cholesky(hess, e), e, grad);
    } else {
      step = conjugateGradient((v) => {
        const out = Float64Array.from(v, (x, a) => diag(a) * x);
        for (let i = 0; i < n; i++) {
          const row = i * e;
          let s = 0;
          for (let j = 0; j < e; j++) s += z[row + j]! * v[j]!;
          s *= curv[i]!;
          for (let j = 0; j < e; j++) out[j]! += s * z[row + j]!;
        }
        return out;
      }, grad, 4 * n);
    }
    // damped Newton: halve the step until the loss goes down
    let t = 1;
    let next = beta;
    let nextLoss = loss;
    for (let k = 0; k < 20; k++, t /= 2) {
      const cand = beta.map((v, j) => v - t * step[j]!);
      const l = lossAt(cand);
      if (l < loss) {
        next = cand;
        nextLoss = l;
        break;
      }
    }
    const gain = loss - nextLoss;
    beta.set(next);
    const done = gain <= 1e-7 * Math.max(1, loss);
    loss = nextLoss;
    if (done) break;
  }
  const weights = new Float64Array(d);
  let bias = beta[d]!;
  for (let j = 0; j < d; j++) {
    weights[j] = beta[j]! / sd[j]!;
    bias -= weights[j]! * mean[j]!;
  }
  return { weights, bias };
}

/** Solves A x = b for symmetric positive definite A given as a product (conjugate gradients, at most `maxIt` steps). */
function conjugateGradient(mul: (v: Float64Array) => Float64Array, b: Float64Array, maxIt: number): Float64Array {
  const x = new Float64Array(b.length);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = r.reduce((s, v) => s + v * v, 0);
  const stop = 1e-20 + 1e-12 * rr;
  for (let it = 0; it < maxIt && rr > stop; it++) {
    const ap = mul(p);
    let pap = 0;
    for (let j = 0; j < p.length; j++) pap += p[j]! * ap[j]!;
    if (!(pap > 0)) break;
    const alpha = rr / pap;
    let next = 0;
    for (let j = 0; j < x.length; j++) {
      x[j]! += alpha * p[j]!;
      r[j]! -= alpha * ap[j]!;
      next += r[j]! * r[j]!;
    }
    const beta = next / rr;
    rr = next;
    for (let j = 0; j < p.length; j++) p[j] = r[j]! + beta * p[j]!;
  }
  return x;
}

export interface ProbeQuality {
  /** Held-out accuracy at p = 0.5, each folder weighted equally (the mean of the two folders' hit rates). */
  accuracy: number;
  /** Held-out ROC AUC. */
  auc: number;
  folds: number;
}

/**
 * Fits a probe: logistic regression with each class weighted to half the total. `group[i]` ties rows that
 * are one photo (a photo and its mirror image), so cross-validation never trains on a mirror of a test photo.
 * Returns the fit on every row and its quality over `folds` held-out folds (photos dealt round-robin).
 */
export function trainProbe(
  x: Float32Array, label: Uint8Array, group: Int32Array, n: number, d: number, opts: LogisticOptions & { folds?: number },
): { fit: LogisticFit; quality: ProbeQuality } {
  const weightsFor = (rows: number[]) => {
    const pos = rows.filter((i) => label[i] === 1).length;
    const neg = rows.length - pos;
    return rows.map((i) => (label[i] === 1 ? 0.5 / Math.max(1, pos) : 0.5 / Math.max(1, neg)) * rows.length);
  };
  const fitRows = (rows: number[]) => {
    const xs = new Float32Array(rows.length * d);
    rows.forEach((r, i) => xs.set(x.subarray(r * d, (r + 1) * d), i * d));
    return fitLogistic(xs, rows.map((r) => label[r]!), weightsFor(rows), rows.length, d, opts);
  };
  const all = Array.from({ length: n }, (_, i) => i);
  const folds = opts.folds ?? 5;
  const groups = [...new Set(group)].sort((a, b) => a - b);
  const foldOf = new Map(groups.map((g, k) => [g, k % folds]));
  const scores = new Float64Array(n);
  for (let f = 0; f < folds; f++) {
    const train = all.filter((i) => foldOf.get(group[i]!) !== f);
    const test = all.filter((i) => foldOf.get(group[i]!) === f);
    if (test.length === 0) continue;
    const fit = fitRows(train);
    for (const i of test) {
      let s = fit.bias;
      for (let j = 0; j < d; j++) s += fit.weights[j]! * x[i * d + j]!;
      scores[i] = s;
    }
  }
  const hit = (cls: number) => {
    const rows = all.filter((i) => label[i] === cls);
    return rows.filter((i) => (scores[i]! > 0 ? 1 : 0) === cls).length / Math.max(1, rows.length);
  };
  const quality = {
    accuracy: (hit(1) + hit(0)) / 2,
    auc: auc(scores, Array.from(label, (v) => v === 1)),
    folds,
  };
  return { fit: fitRows(all), quality };
}
