// Simulated user prompts derived from a ground-truth matte, for eval and bench. The region is
// alpha > 0.5; everything is in the mask's pixel coordinates (pixel centres at +0.5).
import type { BoxPrompt, PointPrompt, Prompt } from './prompt-types';
import { seededRandom } from './seeded-random';
import { squaredDistanceToOutside } from './distance-transform';

export type EvalPromptMode = { kind: 'auto' } | { kind: 'box' } | { kind: 'points'; count: number } | { kind: 'point1' };

/** Parses the CLI spelling: auto | box | points:N | point1. */
export function parseEvalPromptMode(text: string): EvalPromptMode {
  if (text === 'auto' || text === 'box' || text === 'point1') return { kind: text };
  const m = /^points:(\d+)$/.exec(text);
  if (m && Number(m[1]) >= 1) return { kind: 'points', count: Number(m[1]) };
  throw new Error(`--prompt must be auto, box, points:N (N >= 1) or point1, got "${text}"`);
}

export function formatEvalPromptMode(mode: EvalPromptMode): string {
  return mode.kind === 'points' ? `points:${mode.count}` : mode.kind;
}

function regionOf(alpha: ArrayLike<number>): Uint8Array {
  const r = new Uint8Array(alpha.length);
  for (let i = 0; i < r.length; i++) r[i] = alpha[i] > 0.5 ? 1 : 0;
  return r;
}

/** Tight bounding box of the region in pixel edges, or null when the region is empty. */
export function boxFromMask(alpha: ArrayLike<number>, width: number, height: number): BoxPrompt | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
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
export function randomPointsInMask(alpha: ArrayLike<number>, width: number, height: number, count: number, seed = 0): PointPrompt[] {
  const idx: number[] = [];
  for (let i = 0; i < width * height; i++) if (alpha[i] > 0.5) idx.push(i);
  const rand = seededRandom(seed);
  const n = Math.min(count, idx.length);
  // Partial Fisher-Yates: the first n entries end up a uniform sample without replacement.
  for (let k = 0; k < n; k++) {
    const j = k + Math.floor(rand() * (idx.length - k));
    [idx[k], idx[j]] = [idx[j], idx[k]];
  }
  return idx.slice(0, n).map((i) => ({ kind: 'point', x: (i % width) + 0.5, y: Math.floor(i / width) + 0.5 }));
}

/** The region pixel farthest from the region's border (image edges count as border). */
export function interiorPointOfMask(alpha: ArrayLike<number>, width: number, height: number): PointPrompt | null {
  // Pad by one pixel of background so the image edge counts as the region's border.
  const pw = width + 2, ph = height + 2;
  const padded = new Uint8Array(pw * ph);
  const region = regionOf(alpha);
  for (let y = 0; y < height; y++) padded.set(region.subarray(y * width, (y + 1) * width), (y + 1) * pw + 1);
  const d = squaredDistanceToOutside(padded, pw, ph);
  let best = -1, bestD = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] > bestD) {
      bestD = d[i];
      best = i;
    }
  }
  if (best < 0) return null;
  return { kind: 'point', x: (best % pw) - 1 + 0.5, y: Math.floor(best / pw) - 1 + 0.5 };
}

/** Prompts for one eval sample; [] means automatic (also for an empty region). */
export function promptsFromMask(mode: EvalPromptMode, alpha: ArrayLike<number>, width: number, height: number, seed = 0): Prompt[] {
  if (mode.kind === 'auto') return [];
  if (mode.kind === 'box') {
    const b = boxFromMask(alpha, width, height);
    return b ? [b] : [];
  }
  if (mode.kind === 'points') return randomPointsInMask(alpha, width, height, mode.count, seed);
  const p = interiorPointOfMask(alpha, width, height);
  return p ? [p] : [];
}
