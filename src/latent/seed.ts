/**
 * Seed -> latent, identical on every machine: a 32-bit PRNG (sfc32, seeded through splitmix32) feeds a
 * Box-Muller transform. Only integer maths and Math.log/sqrt/cos/sin, so V8 on any platform agrees.
 */

export const MAX_SEED = 0xffffffff;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
    t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
    return (t ^ (t >>> 16)) >>> 0;
  };
}

/** sfc32: a small, fast PRNG with a 128-bit state. Returns uniform floats in [0, 1). */
export function prng(seed: number): () => number {
  const init = splitmix32(seed);
  let a = init(), b = init(), c = init(), d = init();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** mulberry32: a smaller seeded PRNG (32-bit state), uniform floats in [0, 1); for sampling, not for faces' latents. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function isValidSeed(seed: number): boolean {
  return Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED;
}

/**
 * `count` numbers of prng(seed), written out rather than called through prng's closure (the seed search makes
 * 1,024 latents a face): the same integer steps in the same order, so the same numbers (tests/latent.test.ts).
 */
function uniforms(seed: number, count: number): Float64Array {
  const init = splitmix32(seed);
  let a = init(), b = init(), c = init(), d = init();
  const u = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    u[i] = t / 4294967296;
  }
  return u;
}

/** The latent z ~ N(0, I) for a seed: Box-Muller on pairs of prng(seed)'s numbers. */
export function seedToLatent(seed: number, zDim: number): Float32Array {
  if (!isValidSeed(seed)) throw new RangeError(`seed must be an integer in 0..${MAX_SEED}, got ${seed}`);
  const u = uniforms(seed, zDim + (zDim % 2));
  const z = new Float32Array(zDim);
  for (let i = 0; i < zDim; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u[i]!)); // 1 - u in (0, 1]: log is finite
    z[i] = r * Math.cos(2 * Math.PI * u[i + 1]!);
    if (i + 1 < zDim) z[i + 1] = r * Math.sin(2 * Math.PI * u[i + 1]!);
  }
  return z;
}

/** A fresh random seed for a new face (not for reproducibility: use an explicit seed for that). */
export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * (MAX_SEED + 1)) >>> 0;
}
