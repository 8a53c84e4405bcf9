// Prompt rasterisation, the contract of ARCHITECTURE.md shared with
// smat_model/modeling/prompt_encoding.py: both sides must produce the same mask bit for bit, so the
// geometry here is deliberately literal (pixel centres at +0.5, half-open boxes, closed discs and
// capsules). The point radius and the thinnest brush come from model.json, as the export wrote them.
import type { BoxPrompt, Point, Prompt } from './prompt-types';
import type { PromptGeometry } from './model-config';
import { letterboxScale } from './letterbox';
import { scribbleTouchesRect } from './scribble-touches-rect';
import { clamp01 } from './clamp01';

export interface RasterizedPrompts {
  /** [size*size] row-major, 1 inside the union of the prompts, 0 elsewhere. */
  mask: Float32Array;
  /** False when no prompt other than "not this" clicks touches the image: the head then runs in automatic mode. */
  hasPrompt: boolean;
  /** The prompts that touch the image, "not this" clicks included (promptsInsideImage): what the rest of the run reads. */
  inside: Prompt[];
}

/** Point radius in model pixels: a fixed fraction of the working size, as in training. */
export function pointRadius(size: number, geometry: PromptGeometry): number {
  return size * geometry.pointRadiusFraction;
}

/** Scribble half-width in model pixels: the brush never gets thinner than `minScribbleWidth` model pixels. */
export function scribbleRadius(width: number, scale: number, geometry: PromptGeometry): number {
  return Math.max(width * scale, geometry.minScribbleWidth) / 2;
}

export function rasterizePrompts(
  prompts: Prompt[],
  srcWidth: number,
  srcHeight: number,
  size: number,
  geometry: PromptGeometry,
): RasterizedPrompts {
  const mask = new Float32Array(size * size);
  const inside = promptsInsideImage(prompts, srcWidth, srcHeight);
  // A negative click says what to leave out, so it is no part of the mask of what to keep.
  const keep = inside.filter((p) => !isNegativeClick(p));
  const scale = letterboxScale(srcWidth, srcHeight, size);
  for (const prompt of keep) {
    if (prompt.kind === 'box') fillBox(mask, size, normaliseBox(prompt), scale);
    else if (prompt.kind === 'point') fillCapsule(mask, size, [prompt], scale, pointRadius(size, geometry));
    else fillCapsule(mask, size, prompt.points, scale, scribbleRadius(prompt.width, scale, geometry));
  }
  return { mask, hasPrompt: keep.length > 0, inside };
}

/**
 * The prompts that touch the image [0,W] x [0,H]; prompts entirely outside are dropped (they would
 * otherwise paint the letterbox padding). An empty result for a non-empty input is the caller's
 * cue to throw PromptOutsideImageError (core/errors.ts).
 */
export function promptsInsideImage(prompts: Prompt[], width: number, height: number): Prompt[] {
  return prompts.filter((p) => {
    if (p.kind === 'point') return isFinitePoint(p) && p.x >= 0 && p.y >= 0 && p.x <= width && p.y <= height;
    if (p.kind === 'box') {
      const b = normaliseBox(p);
      if (![b.x, b.y, b.width, b.height].every(Number.isFinite)) return false;
      return b.width > 0 && b.height > 0 && b.x < width && b.y < height && b.x + b.width > 0 && b.y + b.height > 0;
    }
    return scribbleTouchesRect(p, width, height);
  });
}

export function isNegativeClick(p: Prompt): boolean {
  return p.kind === 'point' && p.negative === true;
}

/** Boxes drawn right-to-left or bottom-to-top arrive with negative sizes; flip them. */
export function normaliseBox(b: BoxPrompt): BoxPrompt {
  const x = b.width < 0 ? b.x + b.width : b.x;
  const y = b.height < 0 ? b.y + b.height : b.y;
  return { kind: 'box', x, y, width: Math.abs(b.width), height: Math.abs(b.height) };
}

function isFinitePoint(p: Point): boolean {
  return Number.isFinite(p.x) && Number.isFinite(p.y);
}

function fillBox(mask: Float32Array, size: number, box: BoxPrompt, scale: number): void {
  // Pixel i is in when x0 <= i + 0.5 < x1, i.e. ceil(x0 - 0.5) <= i < ceil(x1 - 0.5).
  const i0 = Math.max(0, Math.ceil(box.x * scale - 0.5));
  const i1 = Math.min(size, Math.ceil((box.x + box.width) * scale - 0.5));
  const j0 = Math.max(0, Math.ceil(box.y * scale - 0.5));
  const j1 = Math.min(size, Math.ceil((box.y + box.height) * scale - 0.5));
  for (let j = j0; j < j1; j++) mask.fill(1, j * size + i0, j * size + Math.max(i0, i1));
}

/** Marks pixel centres within `radius` of the polyline (a single point is a disc). */
function fillCapsule(mask: Float32Array, size: number, points: Point[], scale: number, radius: number): void {
  const pts = points.filter(isFinitePoint).map((p) => ({ x: p.x * scale, y: p.y * scale }));
  if (pts.length === 0) return;
  const segments = pts.length === 1 ? [[pts[0], pts[0]]] : pts.slice(1).map((p, k) => [pts[k], p]);
  const r2 = radius * radius;
  for (const [a, b] of segments) {
    const i0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - radius - 0.5));
    const i1 = Math.min(size - 1, Math.ceil(Math.max(a.x, b.x) + radius - 0.5));
    const j0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - radius - 0.5));
    const j1 = Math.min(size - 1, Math.ceil(Math.max(a.y, b.y) + radius - 0.5));
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    for (let j = j0; j <= j1; j++) {
      const cy = j + 0.5;
      for (let i = i0; i <= i1; i++) {
        const cx = i + 0.5;
        let t = len2 > 0 ? ((cx - a.x) * dx + (cy - a.y) * dy) / len2 : 0;
        t = clamp01(t);
        const ex = cx - (a.x + t * dx);
        const ey = cy - (a.y + t * dy);
        if (ex * ex + ey * ey <= r2) mask[j * size + i] = 1;
      }
    }
  }
}
