import { describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD, letterbox } from '../core/letterbox';
import { resamplePlanes } from '../core/resample';
import type { RgbaImage } from '../core/rgba-image';

function solid(width: number, height: number, rgb: [number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], 4 * i);
  return { width, height, data };
}

describe('letterbox', () => {
  it('fits the long side to S, normalises the content and zero-pads bottom/right', () => {
    const S = 64;
    const lb = letterbox(solid(200, 100, [200, 100, 50]), S);
    expect(lb.tensor.length).toBe(3 * S * S);
    expect(lb.scale).toBeCloseTo(0.32);
    expect([lb.contentWidth, lb.contentHeight, lb.size]).toEqual([64, 32, 64]);
    for (let c = 0; c < 3; c++) {
      const v = ([200, 100, 50][c] - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
      const plane = lb.tensor.subarray(c * S * S, (c + 1) * S * S);
      expect(plane[0]).toBeCloseTo(v, 4);
      expect(plane[31 * S + 63]).toBeCloseTo(v, 4);
      // Padding rows are exactly zero in the normalised space.
      expect(plane.subarray(32 * S).every((x) => x === 0)).toBe(true);
    }
  });

  it('pads on the right for portrait images, rounding the content size', () => {
    const lb = letterbox(solid(333, 1000, [0, 0, 0]), 512);
    expect(lb.contentHeight).toBe(512);
    expect(lb.contentWidth).toBe(Math.round(333 * 0.512)); // 170
    const row = lb.tensor.subarray(100 * 512, 101 * 512);
    expect(row[169]).toBeCloseTo(-IMAGENET_MEAN[0] / IMAGENET_STD[0], 4);
    expect(row[170]).toBe(0);
  });

  it('enlarges small images to S', () => {
    const lb = letterbox(solid(10, 5, [255, 255, 255]), 64);
    expect([lb.contentWidth, lb.contentHeight, lb.scale]).toEqual([64, 32, 6.4]);
  });

  it('uses the mean/std it is given (model.json)', () => {
    const lb = letterbox(solid(4, 4, [10, 20, 30]), 16, [0, 0, 0], [1, 2, 3]);
    expect([lb.tensor[0], lb.tensor[256], lb.tensor[512]]).toEqual([10, 10, 10]);
  });
});

describe('resamplePlanes', () => {
  it('averages the covered area when shrinking (no aliasing of a fine checkerboard)', () => {
    const w = 64;
    const src = new Float32Array(w * w);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) src[y * w + x] = (x + y) % 2;
    const out = resamplePlanes(src, w, w, 10, 10);
    for (const v of out) expect(Math.abs(v - 0.5)).toBeLessThan(0.06);
  });

  it('is bilinear with half-pixel centres when enlarging', () => {
    const out = resamplePlanes(Float32Array.from([0, 1]), 2, 1, 4, 1);
    expect(Array.from(out)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('keeps a constant constant and handles several channels', () => {
    const src = new Float32Array(7 * 5 * 2);
    for (let i = 0; i < 35; i++) src.set([3, -1], 2 * i);
    const out = resamplePlanes(src, 7, 5, 3, 11, 2);
    for (let i = 0; i < 33; i++) {
      expect(out[2 * i]).toBeCloseTo(3, 5);
      expect(out[2 * i + 1]).toBeCloseTo(-1, 5);
    }
  });
});
