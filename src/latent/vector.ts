/** Small dense vector helpers for latent maths (d is ~128, so plain loops are fastest). */

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The logistic function: a logit to a probability. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** a += k * b, in place. */
export function addScaled(a: Float32Array | Float64Array, b: ArrayLike<number>, k: number): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + k * b[i]!;
}

/** v with its components along each (orthonormal) basis vector removed. */
export function projectOff(v: ArrayLike<number>, basis: readonly Float64Array[]): Float64Array {
  const out = Float64Array.from(v as ArrayLike<number>);
  for (const b of basis) addScaled(out, b, -dot(out, b));
  return out;
}

/**
 * Gram-Schmidt: an orthonormal basis of span(vectors), in order. Vectors (almost) inside the span of
 * the earlier ones (residual norm < eps) are skipped, so the result may be shorter than the input.
 */
export function gramSchmidt(vectors: readonly ArrayLike<number>[], eps = 1e-6): Float64Array[] {
  const basis: Float64Array[] = [];
  for (const v of vectors) {
    const r = projectOff(v, basis);
    // re-orthogonalise once: classical GS loses orthogonality in floating point
    const r2 = projectOff(r, basis);
    const n = norm(r2);
    if (n > eps) basis.push(r2.map((x) => x / n));
  }
  return basis;
}

/** 1 - cosine similarity: 0 for the same direction, 1 for orthogonal, 2 for opposite (any scale); 1 when either is zero. */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`embeddings differ in length: ${a.length} vs ${b.length}`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa === 0 || bb === 0 ? 1 : 1 - ab / Math.sqrt(aa * bb);
}
