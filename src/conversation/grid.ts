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

/** Each digit drawn as strokes in a unit square (no font needed: the Docker image has none). */
const DIGIT_STROKES: Record<number, string> = {
  1: 'M0.36 0.28 L0.52 0.14 L0.52 0.86 M0.36 0.86 L0.68 0.86',
  2: 'M0.3 0.3 C0.34 0.08 0.7 0.08 0.7 0.32 C0.7 0.5 0.4 0.62 0.3 0.86 L0.72 0.86',
  3: 'M0.3 0.16 L0.7 0.16 L0.48 0.44 C0.74 0.42 0.78 0.62 0.68 0.76 C0.58 0.9 0.36 0.9 0.28 0.78',
  4: 'M0.6 0.86 L0.6 0.14 L0.26 0.64 L0.76 0.64',
};

/** The number N (1-4) as a white digit on a dark rounded square, `size` pixels wide: how a tile is named. */
export function numberBadge(n: number, size: number): Buffer {
  const stroke = Math.max(1.5, size / 9);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`
    + `<rect width="${size}" height="${size}" rx="${size / 5}" fill="#000" fill-opacity="0.7"/>`
    + `<path d="${DIGIT_STROKES[n]}" transform="scale(${size})" fill="none" stroke="#fff" stroke-width="${stroke / size}" stroke-linecap="round" stroke-linejoin="round"/>`
    + '</svg>';
  return Buffer.from(svg);
}

/**
 * Four PNGs (any equal or unequal sizes) composed into one 2×2 PNG: each tile scaled to the first one's side
 * (at most GRID_MAX_SIDE / 2), white gaps between, each numbered in its top-left corner (1 2 / 3 4, the
 * numbers /pick and the buttons use). The engine adds the PNG's text label.
 */
export async function composeGrid(pngs: readonly Buffer[]): Promise<Buffer> {
  if (pngs.length !== GRID_FACES) throw new RangeError(`a grid needs ${GRID_FACES} faces, got ${pngs.length}`);
  const first = await sharp(pngs[0]).metadata();
  const tile = Math.max(1, Math.min(first.width ?? 1, Math.floor((GRID_MAX_SIDE - GAP) / 2)));
  const tiles = await Promise.all(
    pngs.map((png) => sharp(png).resize(tile, tile, { fit: 'fill', kernel: 'lanczos3' }).removeAlpha().png().toBuffer()),
  );
  const side = tile * 2 + GAP;
  const badge = Math.max(12, Math.round(tile / 7));
  const inset = Math.max(2, Math.round(badge / 4));
  const at = (i: number) => ({ left: (i % 2) * (tile + GAP), top: Math.floor(i / 2) * (tile + GAP) });
  const numbers = tile >= badge + 2 * inset
    ? tiles.map((_, i) => ({ input: numberBadge(i + 1, badge), left: at(i).left + inset, top: at(i).top + inset }))
    : [];
  return sharp({ create: { width: side, height: side, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite([...tiles.map((input, i) => ({ input, ...at(i) })), ...numbers])
    .png({ compressionLevel: 6 })
    .toBuffer();
}
