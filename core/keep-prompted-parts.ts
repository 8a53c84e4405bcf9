// Clicks and strokes mark the object; a separate part of the matte that none of them touches is
// another object the similarity map found alike (a second copy of the clicked thing, a neighbour
// of the same colour). The matte keeps only the parts the prompt touches.
import { findMatteParts, keepParts } from './matte-parts';
import type { Scratch } from './scratch';

/**
 * Alpha (width*height, row-major) without the parts (`core/matte-parts.ts`) that no pixel of
 * `touched` (same size, non-zero where a prompt lies) reaches. Returns a new array. When the prompt
 * touches no part at all (a click on the background) nothing is removed: the matte is then the
 * model's answer as it is. The floods' planes come from `scratch` (core/scratch.ts).
 */
export function keepPromptedParts(
  alpha: Float32Array,
  width: number,
  height: number,
  touched: Uint8Array,
  scratch?: Scratch,
): Float32Array {
  const parts = findMatteParts(alpha, width, height, scratch);
  const keep = new Uint8Array(parts.count);
  let kept = 0;
  for (let i = 0; i < touched.length; i++) {
    const part = parts.partOf[i];
    // A fringe pixel under a click does not count: the part is what alpha > 0.5 says.
    if (touched[i] && part >= 0 && alpha[i] > 0.5 && !keep[part]) {
      keep[part] = 1;
      kept++;
    }
  }
  if (kept === 0 || kept === parts.count) return Float32Array.from(alpha);
  return keepParts(alpha, parts, keep);
}

/**
 * The prompt mask the head saw (size*size, letterboxed at `scale` model pixels per source pixel)
 * brought to the source image: non-zero where the source pixel's centre falls on a prompted model pixel.
 */
export function promptMaskAtSource(
  mask: Float32Array,
  size: number,
  scale: number,
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const my = Math.min(size - 1, Math.floor((y + 0.5) * scale));
    for (let x = 0; x < width; x++) {
      const mx = Math.min(size - 1, Math.floor((x + 0.5) * scale));
      if (mask[my * size + mx] > 0) out[y * width + x] = 1;
    }
  }
  return out;
}
