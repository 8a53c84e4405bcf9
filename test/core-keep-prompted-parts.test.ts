import { describe, expect, it } from 'vitest';
import { keepPromptedParts, promptMaskAtSource } from '../core/keep-prompted-parts';

// 12x5 matte: two opaque blobs, each with a soft fringe, apart; a faint bridge of alpha 0.2 joins
// the fringes in the middle, so the fringe must be split by distance, not by connectivity.
const W = 12;
const H = 5;
// prettier-ignore
const ROWS = [
  [0, 0.3, 0.3, 0.3, 0, 0, 0, 0, 0.3, 0.3, 0.3, 0],
  [0.3, 1, 1, 1, 0.3, 0.2, 0.2, 0.3, 1, 1, 1, 0.3],
  [0.3, 1, 1, 1, 0.3, 0, 0, 0.3, 1, 1, 1, 0.3],
  [0, 0.3, 0.3, 0.3, 0, 0, 0, 0, 0.3, 0.3, 0.3, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
];
const alpha = Float32Array.from(ROWS.flat());
const at = (a: Float32Array, x: number, y: number) => a[y * W + x];
const touchAt = (...points: Array<[number, number]>) => {
  const t = new Uint8Array(W * H);
  for (const [x, y] of points) t[y * W + x] = 1;
  return t;
};

describe('keepPromptedParts', () => {
  it('drops the part no click touches, with its fringe, and keeps the clicked one as it was', () => {
    const out = keepPromptedParts(alpha, W, H, touchAt([2, 1]));
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (x <= 5) expect(at(out, x, y)).toBe(at(alpha, x, y));
        else expect(at(out, x, y)).toBe(0);
      }
    }
  });

  it('keeps every part a prompt touches', () => {
    const out = keepPromptedParts(alpha, W, H, touchAt([2, 1], [9, 2]));
    expect(Array.from(out)).toEqual(Array.from(alpha));
  });

  it('removes nothing when the prompt touches no part (a click on the background or the fringe)', () => {
    expect(Array.from(keepPromptedParts(alpha, W, H, touchAt([5, 4])))).toEqual(Array.from(alpha));
    expect(Array.from(keepPromptedParts(alpha, W, H, touchAt([0, 1])))).toEqual(Array.from(alpha));
  });

  it('leaves its input untouched', () => {
    const copy = Float32Array.from(alpha);
    keepPromptedParts(alpha, W, H, touchAt([9, 1]));
    expect(Array.from(alpha)).toEqual(Array.from(copy));
  });
});

describe('promptMaskAtSource', () => {
  it('maps each source pixel centre to the model pixel under it', () => {
    // Source 4x2 letterboxed into 8x8 at scale 2: source (1, 0) covers model (2..3, 0..1).
    const mask = new Float32Array(64);
    mask[1 * 8 + 3] = 1;
    expect(Array.from(promptMaskAtSource(mask, 8, 2, 4, 2))).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
  });
});
