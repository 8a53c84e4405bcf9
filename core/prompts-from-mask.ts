// Simulated user prompts derived from a ground-truth matte, for eval and bench. The region is
// alpha > 0.5; everything is in the mask's pixel coordinates (pixel centres at +0.5).
import type { BoxPrompt, Point, PointPrompt, Prompt, ScribblePrompt } from './prompt-types';
import { seededRandom } from './seeded-random';
import { squaredDistanceToOutside } from './distance-transform';

export type EvalPromptMode =
  | { kind: 'auto' }
  | { kind: 'box' }
  /** `negatives`: "not this" clicks off the region, near it (points:N+not:M). */
  | { kind: 'points'; count: number; negatives: number }
  | { kind: 'point1' }
  | { kind: 'scribble' };

/**
 * More clicks than this is no longer a click prompt (each is a disc of 1/80 of the image), and a
 * count in the millions would only spend minutes drawing points.
 */
export const MAX_EVAL_POINTS = 100;

/** Parses the CLI spelling: auto | box | points:N | points:N+not:M | point1 | scribble. */
export function parseEvalPromptMode(text: string): EvalPromptMode {
  if (text === 'auto' || text === 'box' || text === 'point1' || text === 'scribble') return { kind: text };
  const m = /^points:(\d+)(?:\+not:(\d+))?$/.exec(text);
  const inRange = (v: number) => v >= 1 && v <= MAX_EVAL_POINTS;
  if (m && inRange(Number(m[1])) && (m[2] === undefined || inRange(Number(m[2])))) {
    return { kind: 'points', count: Number(m[1]), negatives: m[2] === undefined ? 0 : Number(m[2]) };
  }
  throw new Error(
    `--prompt must be auto, box, points:N or points:N+not:M (N and M from 1 to ${MAX_EVAL_POINTS}), point1 or scribble, got "${text}"`,
  );
}

export function formatEvalPromptMode(mode: EvalPromptMode): string {
  if (mode.kind !== 'points') return mode.kind;
  return mode.negatives > 0 ? `points:${mode.count}+not:${mode.negatives}` : `points:${mode.count}`;
}

function regionOf(alpha: ArrayLike<number>): Uint8Array {
  const r = new Uint8Array(alpha.length);
  for (let i = 0; i < r.length; i++) r[i] = alpha[i] > 0.5 ? 1 : 0;
  return r;
}

/** Tight bounding box of the region in pixel edges, or null when the region is empty. */
export function boxFromMask(alpha: ArrayLike<number>, width: number, height: number): BoxPrompt | null {
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (alpha[y * width + x] > 0.5) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  return { kind: 'box', x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** `count` distinct region pixels drawn uniformly (seeded), as clicks at their centres. */
export function randomPointsInMask(
  alpha: ArrayLike<number>,
  width: number,
  height: number,
  count: number,
  seed = 0,
): PointPrompt[] {
  const idx: number[] = [];
  for (let i = 0; i < width * height; i++) if (alpha[i] > 0.5) idx.push(i);
  return seededSample(idx, count, seed).map((i) => ({
    kind: 'point',
    x: (i % width) + 0.5,
    y: Math.floor(i / width) + 0.5,
  }));
}

/** Up to `count` distinct entries of `idx`, drawn uniformly (seeded); `idx` is reordered. */
function seededSample(idx: number[], count: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const n = Math.min(count, idx.length);
  // Partial Fisher-Yates: the first n entries end up a uniform sample without replacement.
  for (let k = 0; k < n; k++) {
    const j = k + Math.floor(rand() * (idx.length - k));
    [idx[k], idx[j]] = [idx[j], idx[k]];
  }
  return idx.slice(0, n);
}

/**
 * `count` "not this" clicks off the region, near it: inside its bounding box grown by a quarter of
 * its size on each side, where a user marks a neighbour or background the matte took (training's
 * `negative_clicks` draws them the same way).
 */
export function randomPointsNearMask(
  alpha: ArrayLike<number>,
  width: number,
  height: number,
  count: number,
  seed = 0,
): PointPrompt[] {
  const box = boxFromMask(alpha, width, height);
  if (!box) return [];
  const gx = box.width / 4,
    gy = box.height / 4;
  const x0 = Math.max(0, Math.floor(box.x - gx)),
    x1 = Math.min(width, Math.ceil(box.x + box.width + gx));
  const y0 = Math.max(0, Math.floor(box.y - gy)),
    y1 = Math.min(height, Math.ceil(box.y + box.height + gy));
  const idx: number[] = [];
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) if (!(alpha[y * width + x] > 0.5)) idx.push(y * width + x);
  return seededSample(idx, count, seed).map((i) => ({
    kind: 'point',
    x: (i % width) + 0.5,
    y: Math.floor(i / width) + 0.5,
    negative: true,
  }));
}

/** The region pixel farthest from the region's border (image edges count as border). */
export function interiorPointOfMask(alpha: ArrayLike<number>, width: number, height: number): PointPrompt | null {
  // Pad by one pixel of background so the image edge counts as the region's border.
  const pw = width + 2,
    ph = height + 2;
  const padded = new Uint8Array(pw * ph);
  const region = regionOf(alpha);
  for (let y = 0; y < height; y++) padded.set(region.subarray(y * width, (y + 1) * width), (y + 1) * pw + 1);
  const d = squaredDistanceToOutside(padded, pw, ph);
  let best = -1,
    bestD = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] > bestD) {
      bestD = d[i];
      best = i;
    }
  }
  if (best < 0) return null;
  return { kind: 'point', x: (best % pw) - 1 + 0.5, y: Math.floor(best / pw) - 1 + 0.5 };
}

const SKELETON_BINS = 8;
/** Stroke points closer to the border than this share of the deepest one are left out, so the
 * stroke stays inside thin parts the way a user's would. */
const SKELETON_MIN_DEPTH = 0.3;

/** One stroke along the region's inner skeleton, as a user would scribble down an object: the
 * region is cut into slices across its principal axis and the deepest pixel of each slice (by the
 * distance to the border) is joined in order. Brush width is 1% of the long side, at least 3 px. */
export function skeletonScribbleOfMask(alpha: ArrayLike<number>, width: number, height: number): ScribblePrompt | null {
  const region = regionOf(alpha);
  const depth = squaredDistanceToOutside(region, width, height);
  let n = 0,
    mx = 0,
    my = 0;
  for (let i = 0; i < region.length; i++) {
    if (!region[i]) continue;
    n++;
    mx += i % width;
    my += Math.floor(i / width);
  }
  if (n === 0) return null;
  mx /= n;
  my /= n;
  let sxx = 0,
    sxy = 0,
    syy = 0;
  for (let i = 0; i < region.length; i++) {
    if (!region[i]) continue;
    const dx = (i % width) - mx,
      dy = Math.floor(i / width) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const ax = Math.cos(angle),
    ay = Math.sin(angle);
  let tMin = Infinity,
    tMax = -Infinity,
    deepest = 0;
  for (let i = 0; i < region.length; i++) {
    if (!region[i]) continue;
    const t = ((i % width) - mx) * ax + (Math.floor(i / width) - my) * ay;
    tMin = Math.min(tMin, t);
    tMax = Math.max(tMax, t);
    deepest = Math.max(deepest, depth[i]);
  }
  const bestIndex = new Int32Array(SKELETON_BINS).fill(-1);
  const bestDepth = new Float64Array(SKELETON_BINS);
  const span = Math.max(tMax - tMin, 1e-9);
  for (let i = 0; i < region.length; i++) {
    if (!region[i]) continue;
    const t = ((i % width) - mx) * ax + (Math.floor(i / width) - my) * ay;
    const bin = Math.min(SKELETON_BINS - 1, Math.floor(((t - tMin) / span) * SKELETON_BINS));
    if (depth[i] > bestDepth[bin]) {
      bestDepth[bin] = depth[i];
      bestIndex[bin] = i;
    }
  }
  const minDepth = SKELETON_MIN_DEPTH * SKELETON_MIN_DEPTH * deepest; // depths are squared
  const points: Point[] = [];
  for (let b = 0; b < SKELETON_BINS; b++) {
    const i = bestIndex[b];
    if (i >= 0 && bestDepth[b] >= minDepth) points.push({ x: (i % width) + 0.5, y: Math.floor(i / width) + 0.5 });
  }
  if (points.length === 1) points.push({ ...points[0] });
  return { kind: 'scribble', points, width: Math.max(3, 0.01 * Math.max(width, height)) };
}

/** Prompts for one eval sample; [] means automatic (also for an empty region). */
export function promptsFromMask(
  mode: EvalPromptMode,
  alpha: ArrayLike<number>,
  width: number,
  height: number,
  seed = 0,
): Prompt[] {
  if (mode.kind === 'auto') return [];
  if (mode.kind === 'box') {
    const b = boxFromMask(alpha, width, height);
    return b ? [b] : [];
  }
  if (mode.kind === 'points') {
    const clicks = randomPointsInMask(alpha, width, height, mode.count, seed);
    if (mode.negatives === 0 || clicks.length === 0) return clicks;
    return [...clicks, ...randomPointsNearMask(alpha, width, height, mode.negatives, seed + 1)];
  }
  if (mode.kind === 'scribble') {
    const s = skeletonScribbleOfMask(alpha, width, height);
    return s ? [s] : [];
  }
  const p = interiorPointOfMask(alpha, width, height);
  return p ? [p] : [];
}
