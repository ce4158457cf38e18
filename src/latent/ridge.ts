/**
 * Ridge regression of many targets on the same design matrix, in closed form:
 *   w = (XcᵀXc + λI)⁻¹ Xcᵀ(y − ȳ),  b = ȳ − x̄·w     (Xc: columns centred)
 * One Cholesky factorisation of the d×d Gram matrix serves every target, so 40 fits cost one.
 */

export interface RidgeFit {
  /** Weights per target, each of length d. */
  weights: Float64Array[];
  intercepts: number[];
}

/** X: n rows of d features (row-major). Y: n rows of k targets (row-major). */
export function ridgeFit(x: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, k: number, lambda: number): RidgeFit {
  const mx = new Float64Array(d);
  const my = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) mx[j]! += x[i * d + j]!;
    for (let t = 0; t < k; t++) my[t]! += y[i * k + t]!;
  }
  for (let j = 0; j < d; j++) mx[j]! /= n;
  for (let t = 0; t < k; t++) my[t]! /= n;

  const gram = new Float64Array(d * d);
  const xty = new Float64Array(d * k);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j]! - mx[j]!;
    for (let a = 0; a < d; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      const off = a * d;
      for (let b = a; b < d; b++) gram[off + b]! += ra * row[b]!;
      for (let t = 0; t < k; t++) xty[a * k + t]! += ra * (y[i * k + t]! - my[t]!);
    }
  }
  for (let a = 0; a < d; a++) {
    gram[a * d + a]! += lambda;
    for (let b = 0; b < a; b++) gram[a * d + b] = gram[b * d + a]!;
  }
  const l = cholesky(gram, d);
  const weights: Float64Array[] = [];
  const intercepts: number[] = [];
  for (let t = 0; t < k; t++) {
    const rhs = new Float64Array(d);
    for (let a = 0; a < d; a++) rhs[a] = xty[a * k + t]!;
    const w = choleskySolve(l, d, rhs);
    let b = my[t]!;
    for (let j = 0; j < d; j++) b -= mx[j]! * w[j]!;
    weights.push(w);
    intercepts.push(b);
  }
  return { weights, intercepts };
}

/** Lower-triangular L with A = LLᵀ (A symmetric positive definite, row-major d×d). */
export function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let p = 0; p < j; p++) s -= l[i * d + p]! * l[j * d + p]!;
      if (i === j) {
        if (s <= 0) throw new Error('matrix is not positive definite');
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j]!;
      }
    }
  }
  return l;
}

export function choleskySolve(l: Float64Array, d: number, b: Float64Array): Float64Array {
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[i * d + p]! * y[p]!;
    y[i] = s / l[i * d + i]!;
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let p = i + 1; p < d; p++) s -= l[p * d + i]! * x[p]!;
    x[i] = s / l[i * d + i]!;
  }
  return x;
}

/** ROC AUC of scores for binary labels (Mann-Whitney U, ties averaged). NaN when a class is empty. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const rank = (i + j + 2) / 2;
    for (let t = i; t <= j; t++) {
      if (labels[idx[t]!]) {
        rankSum += rank;
        pos++;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
