// The prompts as SAM's interaction reads them: point prompts in model pixels with SAM's labels.
// The TypeScript twin of `sam_points` in smat_model/modeling/prompt_encoding.py: training and the
// runtime must give the head the same tokens for the same drawing.
import type { Point, Prompt } from './prompt-types';
import { normaliseBox } from './prompts';

export const SAM_LABEL = { pad: -1, negativeClick: 0, click: 1, boxTopLeft: 2, boxBottomRight: 3 } as const;

/** Points read along a scribble: enough to trace a stroke's turns, few enough to stay a handful of tokens. */
export const SCRIBBLE_POINTS = 6;

export interface SamPoints {
  /** [n*2] x, y pairs in model pixels. */
  coords: Float32Array;
  /** [n] SAM labels (SAM_LABEL). */
  labels: Float32Array;
}

/**
 * A box gives its two corners (several boxes: the rectangle around them), a click one point (label
 * 0 when it is negative), a scribble SCRIBBLE_POINTS points along its stroke; without a box, one
 * padding point ends the list, as SAM was trained. `scale` maps source pixels to model pixels.
 */
export function samPoints(prompts: Prompt[], scale: number): SamPoints {
  const coords: number[] = [];
  const labels: number[] = [];
  let box: [number, number, number, number] | null = null;
  for (const p of prompts) {
    if (p.kind === 'box') {
      const b = normaliseBox(p);
      const r: [number, number, number, number] = [b.x, b.y, b.x + b.width, b.y + b.height];
      box = box ? [Math.min(box[0], r[0]), Math.min(box[1], r[1]), Math.max(box[2], r[2]), Math.max(box[3], r[3])] : r;
    } else if (p.kind === 'point') {
      coords.push(p.x * scale, p.y * scale);
      labels.push(p.negative ? SAM_LABEL.negativeClick : SAM_LABEL.click);
    } else {
      for (const q of alongPolyline(p.points, SCRIBBLE_POINTS)) {
        coords.push(q.x * scale, q.y * scale);
        labels.push(SAM_LABEL.click);
      }
    }
  }
  if (box) {
    coords.push(box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale);
    labels.push(SAM_LABEL.boxTopLeft, SAM_LABEL.boxBottomRight);
  } else {
    coords.push(0, 0);
    labels.push(SAM_LABEL.pad);
  }
  return { coords: Float32Array.from(coords), labels: Float32Array.from(labels) };
}

/** `count` points evenly spaced by arc length along a polyline, both ends included. */
export function alongPolyline(points: Point[], count: number): Point[] {
  const cumulative = [0];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    cumulative.push(cumulative[i - 1] + Math.hypot(b.x - a.x, b.y - a.y));
  }
  const total = cumulative[cumulative.length - 1];
  if (points.length === 0) return [];
  if (total === 0) return [{ x: points[0].x, y: points[0].y }];
  const out: Point[] = [];
  let segment = 1;
  for (let k = 0; k < count; k++) {
    const at = (total * k) / (count - 1);
    while (segment < points.length - 1 && cumulative[segment] < at) segment++;
    const a = points[segment - 1];
    const b = points[segment];
    const length = cumulative[segment] - cumulative[segment - 1];
    const t = length > 0 ? Math.min(1, Math.max(0, (at - cumulative[segment - 1]) / length)) : 0;
    out.push({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) });
  }
  return out;
}
