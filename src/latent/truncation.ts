/**
 * The truncation trick (BigGAN): scaling the seed's latent z ~ N(0, I) by psi < 1 pulls a face toward the
 * average face: cleaner and more typical, but less varied. psi = 1 is the full distribution; psi > 1 is
 * rarer, more unusual faces (and more artefacts). The default was chosen by measurement (the truncation
 * table in models/MODEL_CARD.md).
 */
export const TRUNCATION_MIN = 0.3;
/** Above ~1.15, |psi z| passes the shell keepInRange clamps to (src/latent/edit.ts) for most seeds. */
export const TRUNCATION_MAX = 1.15;
/** The measured default (see the model card's truncation table); TRUNCATION in the environment overrides it. */
export const DEFAULT_TRUNCATION = 1;

export function isValidTruncation(psi: number): boolean {
  return Number.isFinite(psi) && psi >= TRUNCATION_MIN && psi <= TRUNCATION_MAX;
}

/** psi * z (a new vector); psi is clamped to the valid range. */
export function truncate(z: Float32Array, psi: number): Float32Array {
  const p = Math.min(TRUNCATION_MAX, Math.max(TRUNCATION_MIN, Number.isFinite(psi) ? psi : 1));
  if (p === 1) return z;
  // a plain loop (the seed search scales 1,024 latents a face): the same products as z.map((x) => x * p)
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = z[i]! * p;
  return out;
}
