// Whether a stroke reaches a rectangle. Shared by the rasteriser (which drops prompts that miss
// the image) and the sandbox (which drops prompt shapes that miss it), so both agree on "inside".
import type { Point, ScribblePrompt } from './prompt-types';

/** Closed rectangle [x0, x1] x [y0, y1]. */
interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * True when the stroke touches [0,width] x [0,height]: the rectangle is grown by the brush
 * half-width, since the stroke reaches that far beyond its centre line. Non-finite points are
 * ignored; a single point is a degenerate segment.
 */
export function scribbleTouchesRect(s: ScribblePrompt, width: number, height: number): boolean {
  const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (pts.length === 0) return false;
  const pad = Math.max(0, Number.isFinite(s.width) ? s.width / 2 : 0);
  const rect = { x0: -pad, y0: -pad, x1: width + pad, y1: height + pad };
  if (pts.length === 1) return segmentHitsRect(pts[0], pts[0], rect);
  return pts.slice(1).some((p, k) => segmentHitsRect(pts[k], p, rect));
}

/** Liang–Barsky: does the segment a-b pass through the closed rectangle? */
function segmentHitsRect(a: Point, b: Point, r: Rect): boolean {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  let t0 = 0;
  let t1 = 1;
  const edges: Array<[number, number]> = [
    [-dx, a.x - r.x0],
    [dx, r.x1 - a.x],
    [-dy, a.y - r.y0],
    [dy, r.y1 - a.y],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return false;
  }
  return true;
}
