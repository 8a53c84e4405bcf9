// Auto Matte cuts out the main subject. The similarity map of the automatic query also lights up
// small look-alike regions elsewhere (a patch of the same colour, a reflection); a part of the
// matte far smaller than the largest is such a stray, not a second subject. Chosen on held-out
// DUTS-TR photos, not on the validation set (docs/training-log.md, "Auto Matte's strays").
import { findMatteParts, keepParts } from './matte-parts';
import type { Scratch } from './scratch';

/** A part (`core/matte-parts.ts`) stays when its area is at least this share of the largest part's. */
export const MAIN_PART_SHARE = 0.5;

/**
 * Alpha (width*height, row-major) without the parts smaller than `share` of the largest. Returns a
 * new array; the floods' planes come from `scratch` (core/scratch.ts).
 */
export function keepMainParts(
  alpha: Float32Array,
  width: number,
  height: number,
  share = MAIN_PART_SHARE,
  scratch?: Scratch,
): Float32Array {
  const parts = findMatteParts(alpha, width, height, scratch);
  if (parts.count <= 1) return Float32Array.from(alpha);
  const largest = parts.area.reduce((a, b) => Math.max(a, b), 0);
  const keep = parts.area.map((area) => (area >= share * largest ? 1 : 0));
  return keepParts(alpha, parts, Uint8Array.from(keep));
}
