import { describe, expect, it } from 'vitest';
import { keepMainParts, MAIN_PART_SHARE } from '../core/keep-main-parts';

// A 10x4 matte row by row: a 3x3 subject on the left with a fringe, then parts of 2 and 6 pixels.
const W = 10;
const H = 4;
// prettier-ignore
const ROWS = [
  [1, 1, 1, 0.3, 0, 0, 0, 0, 1, 1],
  [1, 1, 1, 0.3, 0, 1, 0, 0, 1, 1],
  [1, 1, 1, 0.3, 0, 1, 0, 0, 1, 1],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
];
const alpha = Float32Array.from(ROWS.flat());
const at = (a: Float32Array, x: number, y: number) => a[y * W + x];

describe('keepMainParts', () => {
  it('drops a part under MAIN_PART_SHARE of the largest and keeps the others as they were', () => {
    expect(2 / 9).toBeLessThan(MAIN_PART_SHARE);
    expect(6 / 9).toBeGreaterThanOrEqual(MAIN_PART_SHARE);
    const out = keepMainParts(alpha, W, H);
    expect([at(out, 5, 1), at(out, 5, 2)]).toEqual([0, 0]);
    for (let i = 0; i < alpha.length; i++) if (i % W !== 5) expect(out[i]).toBe(alpha[i]);
  });

  it('leaves a matte of one part, or none, as it is', () => {
    const one = Float32Array.from(alpha).map((v, i) => (i % W >= 4 ? 0 : v));
    expect(Array.from(keepMainParts(one, W, H))).toEqual(Array.from(one));
    expect(Array.from(keepMainParts(new Float32Array(W * H), W, H))).toEqual(new Array(W * H).fill(0));
  });
});
