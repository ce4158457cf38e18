import sharp from 'sharp';

/**
 * "Pick from four": four faces carrying the same edits, shown as one 2×2 picture. Numbered 1 2 / 3 4
 * (reading order), the numbers `/pick N`, `/vary N` and the bot's buttons use.
 */

/** How many faces a grid shows. */
export const GRID_FACES = 4;

/** Widest grid picture, in pixels (each tile at most half of it). */
export const GRID_MAX_SIDE = 512;

/** Gap between tiles, in pixels (white), so four faces do not read as one picture. */
const GAP = 4;

/**
 * How far "vary" steps from a face's latent (src/latent/jitter.ts): z' = (z + s·n)/√(1+s²) with s = 0.5,
 * so z' keeps cos ≈ 0.89 with z. Measured (bench/vary.ts, 50 seeds × 4 neighbours, closed loop): at 0.5 a
 * neighbour is about 40% of a reroll's pixel distance and a third of its distance in F's features, and keeps
 * the edits as often as the original does; at 0.35 (the first choice) neighbours were often near copies
 * (a third / a quarter of a reroll), at 0.75 the weaker edits (glasses) started to drop.
 */
export const VARY_STEP = 0.5;

/** Which of the four a 1-based number names; undefined unless it is 1..4. */
export function gridIndex(n: number): number | undefined {
  return Number.isInteger(n) && n >= 1 && n <= GRID_FACES ? n - 1 : undefined;
}

/**
 * Four PNGs (any equal or unequal sizes) composed into one 2×2 PNG: each tile scaled to the first one's side
 * (at most GRID_MAX_SIDE / 2), white gaps between. The result carries no label yet: the engine labels it.
 */
export async function composeGrid(pngs: readonly Buffer[]): Promise<Buffer> {
  if (pngs.length !== GRID_FACES) throw new RangeError(`a grid needs ${GRID_FACES} faces, got ${pngs.length}`);
  const first = await sharp(pngs[0]).metadata();
  const tile = Math.max(1, Math.min(first.width ?? 1, Math.floor((GRID_MAX_SIDE - GAP) / 2)));
  const tiles = await Promise.all(
    pngs.map((png) => sharp(png).resize(tile, tile, { fit: 'fill', kernel: 'lanczos3' }).removeAlpha().png().toBuffer()),
  );
  const side = tile * 2 + GAP;
  return sharp({ create: { width: side, height: side, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(tiles.map((input, i) => ({ input, left: (i % 2) * (tile + GAP), top: Math.floor(i / 2) * (tile + GAP) })))
    .png({ compressionLevel: 6 })
    .toBuffer();
}
