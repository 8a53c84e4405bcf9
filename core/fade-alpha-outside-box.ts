// A box says where the object is. What the matte keeps well beyond it is another object (a copy of
// the target, a neighbour that looks alike) that the similarity map could not tell apart, so alpha
// fades to zero past the box's edges. The fade, not a cut, because a box drawn a little short of
// the object should soften the overhang rather than slice it; on the held-out composites a fade
// over 5% of the box's longer side raised box IoU 0.771 -> 0.794 and lowered SAD and Grad too
// (docs/training-log.md, "The prompt hold").
import type { Prompt } from './prompt-types';
import { clamp01 } from './clamp01';
import { normaliseBox } from './prompts';

/** Past the box, alpha reaches 0 at this fraction of the box's longer side (never under MIN_FADE_PX). */
export const BOX_FADE_FRACTION = 0.05;
export const MIN_FADE_PX = 4;

/** Half-open rectangle [x0, x1) x [y0, y1) in source-image pixels. */
export interface PixelRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Where the prompts allow the object: the rectangle around every box and every other prompt
 * (a click or a stroke outside the box still counts as "this is the object"; a "not this" click
 * does not, it marks what to leave out), or null when no prompt is a box, since clicks and strokes
 * alone say nothing about the object's extent.
 */
export function boxPromptBounds(prompts: readonly Prompt[]): PixelRect | null {
  if (!prompts.some((p) => p.kind === 'box')) return null;
  const r = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  const grow = (x0: number, y0: number, x1: number, y1: number) => {
    r.x0 = Math.min(r.x0, x0);
    r.y0 = Math.min(r.y0, y0);
    r.x1 = Math.max(r.x1, x1);
    r.y1 = Math.max(r.y1, y1);
  };
  for (const p of prompts) {
    if (p.kind === 'box') {
      const b = normaliseBox(p);
      grow(b.x, b.y, b.x + b.width, b.y + b.height);
    } else if (p.kind === 'point') {
      if (!p.negative) grow(p.x, p.y, p.x, p.y);
    } else {
      const half = Math.max(0, p.width) / 2;
      for (const q of p.points) grow(q.x - half, q.y - half, q.x + half, q.y + half);
    }
  }
  return Number.isFinite(r.x0 + r.y0 + r.x1 + r.y1) ? r : null;
}

/**
 * Alpha (width*height, row-major) with every pixel past `rect` scaled down linearly with its
 * distance from it, to 0 at BOX_FADE_FRACTION of the rectangle's longer side. Pixels inside are
 * unchanged. Returns a new array.
 */
export function fadeAlphaOutsideRect(
  alpha: Float32Array,
  width: number,
  height: number,
  rect: PixelRect,
): Float32Array {
  const fade = Math.max(MIN_FADE_PX, BOX_FADE_FRACTION * Math.max(rect.x1 - rect.x0, rect.y1 - rect.y0));
  const weight = (d: number) => clamp01(1 - d / fade);
  const columnWeight = new Float32Array(width);
  for (let x = 0; x < width; x++) columnWeight[x] = weight(outsideBy(x + 0.5, rect.x0, rect.x1));
  const out = Float32Array.from(alpha);
  for (let y = 0; y < height; y++) {
    const rowWeight = weight(outsideBy(y + 0.5, rect.y0, rect.y1));
    const row = y * width;
    if (rowWeight === 0) {
      out.fill(0, row, row + width);
      continue;
    }
    // The farther axis decides, so the weight is the smaller of the two; a row inside the box
    // changes only in the columns past it.
    for (let x = 0; x < width; x++) {
      const w = Math.min(rowWeight, columnWeight[x]);
      if (w < 1) out[row + x] *= w;
    }
  }
  return out;
}

/** How far the pixel centre `c` lies outside [lo, hi), 0 inside. */
function outsideBy(c: number, lo: number, hi: number): number {
  return Math.max(0, lo - c, c - hi);
}
