// Keeps what the model can use: boxes are cut to the image, points and strokes that miss it are
// dropped. `null` means the prompt lies entirely outside the image.
import type { Point, Prompt } from '../../core/prompt-types';
import type { Size } from './map-node-space-to-image-pixels';

export function clipPromptToImage(prompt: Prompt, image: Size): Prompt | null {
  switch (prompt.kind) {
    case 'point':
      return prompt.x >= 0 && prompt.y >= 0 && prompt.x <= image.width && prompt.y <= image.height ? prompt : null;
    case 'box': {
      const x0 = Math.max(0, prompt.x);
      const y0 = Math.max(0, prompt.y);
      const x1 = Math.min(image.width, prompt.x + prompt.width);
      const y1 = Math.min(image.height, prompt.y + prompt.height);
      return x1 > x0 && y1 > y0 ? { kind: 'box', x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
    }
    case 'scribble': {
      // The stroke reaches half its width beyond its centre line. Points stay unclipped: the
      // rasteriser draws only what falls inside, and cutting would bend the stroke's ends.
      const r = prompt.width / 2;
      const bounds = { x0: -r, y0: -r, x1: image.width + r, y1: image.height + r };
      const pts = prompt.points;
      const hits =
        pts.some((p) => inside(p, bounds)) || pts.some((p, i) => i > 0 && segmentHitsRect(pts[i - 1], p, bounds));
      return hits ? prompt : null;
    }
  }
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function inside(p: Point, r: Rect): boolean {
  return p.x >= r.x0 && p.x <= r.x1 && p.y >= r.y0 && p.y <= r.y1;
}

/** Liang–Barsky: does the segment a-b pass through the rectangle? */
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
