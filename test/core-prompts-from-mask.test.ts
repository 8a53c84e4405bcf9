import { describe, expect, it } from 'vitest';
import {
  boxFromMask,
  interiorPointOfMask,
  parseEvalPromptMode,
  promptsFromMask,
  randomPointsInMask,
  randomPointsNearMask,
  skeletonScribbleOfMask,
} from '../core/prompts-from-mask';
import { squaredDistanceToOutside } from '../core/distance-transform';

// An L-shaped region in a 30x20 mask: a thick vertical bar plus a thin foot.
const W = 30,
  H = 20;
const mask = new Float32Array(W * H);
for (let y = 2; y < 18; y++) for (let x = 4; x < 14; x++) mask[y * W + x] = 1;
for (let y = 15; y < 18; y++) for (let x = 14; x < 28; x++) mask[y * W + x] = 0.8;

describe('prompts derived from ground truth', () => {
  it('box is the tight bounding box of alpha > 0.5', () => {
    expect(boxFromMask(mask, W, H)).toEqual({ kind: 'box', x: 4, y: 2, width: 24, height: 16 });
    expect(boxFromMask(new Float32Array(4).fill(0.5), 2, 2)).toBeNull();
  });

  it('points are inside the region, distinct, and reproducible from the seed', () => {
    const a = randomPointsInMask(mask, W, H, 5, 7);
    expect(a).toHaveLength(5);
    for (const p of a) expect(mask[Math.floor(p.y) * W + Math.floor(p.x)]).toBeGreaterThan(0.5);
    expect(new Set(a.map((p) => `${p.x},${p.y}`)).size).toBe(5);
    expect(randomPointsInMask(mask, W, H, 5, 7)).toEqual(a);
    expect(randomPointsInMask(mask, W, H, 5, 8)).not.toEqual(a);
  });

  it('"not this" clicks lie off the region, near it, and follow the clicks on it', () => {
    const prompts = promptsFromMask({ kind: 'points', count: 3, negatives: 4 }, mask, W, H, 7);
    expect(prompts.slice(0, 3)).toEqual(randomPointsInMask(mask, W, H, 3, 7));
    const negatives = prompts.slice(3);
    expect(negatives).toHaveLength(4);
    for (const p of negatives) {
      expect(p).toMatchObject({ kind: 'point', negative: true });
      if (p.kind !== 'point') continue;
      expect(mask[Math.floor(p.y) * W + Math.floor(p.x)]).toBeLessThanOrEqual(0.5);
    }
    // Near it: a small region in a large mask keeps them within its box grown by a quarter per side.
    const big = new Float32Array(200 * 200);
    for (let y = 80; y < 120; y++) for (let x = 60; x < 100; x++) big[y * 200 + x] = 1;
    for (const p of randomPointsNearMask(big, 200, 200, 50, 3)) {
      expect(p.x).toBeGreaterThanOrEqual(50);
      expect(p.x).toBeLessThanOrEqual(110);
      expect(p.y).toBeGreaterThanOrEqual(70);
      expect(p.y).toBeLessThanOrEqual(130);
    }
    expect(promptsFromMask({ kind: 'points', count: 3, negatives: 4 }, new Float32Array(W * H), W, H)).toEqual([]);
  });

  it('point1 is the interior point farthest from the border', () => {
    const p = interiorPointOfMask(mask, W, H)!;
    // The bar is 10 wide: its centre columns are 8 and 9, well away from the thin foot.
    expect(p.x === 8.5 || p.x === 9.5).toBe(true);
    expect(p.y).toBeGreaterThanOrEqual(6.5);
    expect(p.y).toBeLessThanOrEqual(13.5);
  });

  it('treats the image edge as border', () => {
    const full = new Float32Array(9 * 9).fill(1);
    expect(interiorPointOfMask(full, 9, 9)).toEqual({ kind: 'point', x: 4.5, y: 4.5 });
  });

  it('exact distance transform', () => {
    const inside = new Uint8Array(7 * 7).fill(1);
    inside[3 * 7 + 3] = 0;
    const d = squaredDistanceToOutside(inside, 7, 7);
    expect(d[3 * 7 + 3]).toBe(0);
    expect(d[0]).toBe(18);
    expect(d[3 * 7 + 6]).toBe(9);
    expect(d[1 * 7 + 2]).toBe(5);
  });

  it('parses the CLI modes and returns [] for auto or an empty region', () => {
    expect(parseEvalPromptMode('points:3')).toEqual({ kind: 'points', count: 3, negatives: 0 });
    expect(parseEvalPromptMode('points:5+not:2')).toEqual({ kind: 'points', count: 5, negatives: 2 });
    expect(() => parseEvalPromptMode('points:0')).toThrow(/--prompt/);
    expect(() => parseEvalPromptMode('points:5+not:0')).toThrow(/--prompt/);
    expect(() => parseEvalPromptMode('points:100000000')).toThrow(/N and M from 1 to 100/);
    expect(() => parseEvalPromptMode('lasso')).toThrow(/--prompt/);
    expect(promptsFromMask({ kind: 'auto' }, mask, W, H)).toEqual([]);
    expect(promptsFromMask({ kind: 'point1' }, new Float32Array(4), 2, 2)).toEqual([]);
  });
});

describe('scribble along the inner skeleton', () => {
  // A horizontal bar 40 wide and 8 high inside a 60x30 mask, plus a thin 1-px spur that a user's
  // stroke would not follow.
  const w = 60,
    h = 30;
  const bar = new Float32Array(w * h);
  for (let y = 10; y < 18; y++) for (let x = 10; x < 50; x++) bar[y * w + x] = 1;
  for (let y = 0; y < 10; y++) bar[y * w + 30] = 1;

  it('runs along the bar through its deep pixels, in order, with every point inside', () => {
    const s = skeletonScribbleOfMask(bar, w, h)!;
    expect(s.kind).toBe('scribble');
    expect(s.points.length).toBeGreaterThanOrEqual(6);
    for (const p of s.points) {
      expect(bar[Math.floor(p.y) * w + Math.floor(p.x)]).toBe(1);
      expect(p.y).toBeGreaterThanOrEqual(12.5);
      expect(p.y).toBeLessThanOrEqual(15.5);
    }
    const xs = s.points.map((p) => p.x);
    const sorted = [...xs].sort((a, b) => a - b);
    expect(xs.join()).toBe(xs[0] < xs[xs.length - 1] ? sorted.join() : [...sorted].reverse().join());
    expect(Math.abs(xs[xs.length - 1] - xs[0])).toBeGreaterThan(25);
    expect(s.width).toBe(3);
  });

  it('is null for an empty mask and reachable from the CLI spelling', () => {
    expect(skeletonScribbleOfMask(new Float32Array(16), 4, 4)).toBeNull();
    expect(parseEvalPromptMode('scribble')).toEqual({ kind: 'scribble' });
    expect(promptsFromMask({ kind: 'scribble' }, bar, w, h)[0].kind).toBe('scribble');
  });
});
