// Prompts derived from a ground-truth mask, for the benchmark only (pure, no fs).
// box    = bounding box of gt > 0.5, in source pixels ({x, y, width, height}, edges on pixel borders)
// points = `count` distinct pixel centres drawn uniformly from gt > 0.5 with a seeded PRNG
//          (mulberry32, seed 0 per image unless told otherwise), all positive.
import type { BoxPrompt, PointPrompt } from '../core/prompt-types';

/** mulberry32: small deterministic PRNG, returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bounding box of gt > 0.5, or null when the mask is empty. */
export function maskBox(gt: Float32Array, width: number, height: number): BoxPrompt | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gt[y * width + x] > 0.5) {
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

/** `count` distinct foreground pixel centres (fewer if the mask has fewer pixels), seeded. */
export function samplePoints(gt: Float32Array, width: number, height: number, count = 10, seed = 0): PointPrompt[] {
  const fg: number[] = [];
  for (let i = 0; i < gt.length; i++) if (gt[i] > 0.5) fg.push(i);
  const rand = mulberry32(seed);
  const n = Math.min(count, fg.length);
  // partial Fisher-Yates
  for (let k = 0; k < n; k++) {
    const j = k + Math.floor(rand() * (fg.length - k));
    const t = fg[k];
    fg[k] = fg[j];
    fg[j] = t;
  }
  return fg.slice(0, n).map((i) => ({ kind: 'point' as const, x: (i % width) + 0.5, y: Math.floor(i / width) + 0.5 }));
}
