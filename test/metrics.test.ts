import { describe, expect, it } from 'vitest';
import { computeMetrics, connError, gaussGradientKernel, gradError, meanMetrics } from '../core/metrics';

const f32 = (a: number[]) => Float32Array.from(a);

describe('pixel metrics (SAD, MSE, MAD, MAE, IoU, unknown region)', () => {
  // 3x3, row-major
  const pred = f32([0, 0.5, 1, 0.25, 1, 0, 1, 1, 0.75]);
  const gt = f32([0, 1, 1, 0, 1, 0, 1, 0, 1]);
  // |p-g| = [0, .5, 0, .25, 0, 0, 0, 1, .25]          sum = 2.0
  // (p-g)^2 = [0, .25, 0, .0625, 0, 0, 0, 1, .0625]    sum = 1.375
  it('SAD, MSE, MAD, MAE by hand', () => {
    const m = computeMetrics(pred, gt, 3, 3);
    expect(m.sad).toBeCloseTo(2.0 / 1000, 12); // 0.002
    expect(m.mse).toBeCloseTo(1.375 / 9, 12); // 0.15278
    expect(m.mad).toBeCloseTo(2.0 / 9, 12); // 0.22222
    expect(m.sad_unknown).toBeUndefined();
    expect(m.mse_unknown).toBeUndefined();
  });

  it('IoU at 0.5 by hand', () => {
    // pred > 0.5 at indices {2,4,6,7,8} (0.5 itself is not > 0.5); gt > 0.5 at {1,2,4,6,8}
    // intersection {2,4,6,8} = 4, union {1,2,4,6,7,8} = 6 -> 4/6
    expect(computeMetrics(pred, gt, 3, 3).iou).toBeCloseTo(4 / 6, 12);
    // both empty -> 1
    expect(computeMetrics(f32([0, 0.2, 0.5, 0]), f32([0, 0, 0.1, 0.5]), 2, 2).iou).toBe(1);
    // disjoint -> 0
    expect(computeMetrics(f32([1, 0, 0, 0]), f32([0, 0, 0, 1]), 2, 2).iou).toBe(0);
  });

  it('unknown-region SAD and MSE with a trimap', () => {
    // unknown (128) at indices 1, 3, 8: |p-g| = .5, .25, .25 -> 1.0; (p-g)^2 = .25 + .0625 + .0625 = .375
    const trimap = Uint8Array.from([0, 128, 255, 128, 255, 0, 0, 255, 128]);
    const m = computeMetrics(pred, gt, 3, 3, trimap);
    expect(m.sad_unknown).toBeCloseTo(1.0 / 1000, 12);
    expect(m.mse_unknown).toBeCloseTo(0.375 / 3, 12); // 0.125
    // the whole-image metrics do not change with a trimap
    expect(m.sad).toBeCloseTo(0.002, 12);
    // no unknown pixel -> 0
    const none = computeMetrics(pred, gt, 3, 3, new Uint8Array(9));
    expect(none.sad_unknown).toBe(0);
    expect(none.mse_unknown).toBe(0);
  });

  it('perfect prediction gives zero errors and IoU 1', () => {
    const m = computeMetrics(gt, gt, 3, 3);
    expect(m).toEqual({ sad: 0, mse: 0, mad: 0, grad: 0, conn: 0, iou: 1 });
  });

  it('rejects mismatched sizes', () => {
    expect(() => computeMetrics(f32([0, 1]), f32([0, 1, 1]), 2, 1)).toThrow();
    expect(() => computeMetrics(f32([0, 1]), f32([0, 1]), 2, 1, new Uint8Array(3))).toThrow();
  });
});

describe('Grad (Gaussian first-derivative filters, sigma 1.4)', () => {
  it('kernel size and normalisation', () => {
    // halfsize = ceil(1.4 * sqrt(-2 ln(sqrt(2 pi) * 1.4 * 0.01))) = ceil(1.4 * sqrt(-2 ln 0.035094))
    //          = ceil(1.4 * sqrt(6.6994)) = ceil(1.4 * 2.5883) = ceil(3.6237) = 4  -> 9x9 kernel
    const { half, g, dg } = gaussGradientKernel(1.4);
    expect(half).toBe(4);
    // hx = g (rows) x dg (cols) / ||.||_2; its 1-D factors each have unit L2 norm here
    const s2 = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0);
    expect(s2(g)).toBeCloseTo(1, 12);
    expect(s2(dg)).toBeCloseTo(1, 12);
    // dgauss is odd, zero at the centre; gauss peaks at the centre
    expect(dg[4]).toBe(-0);
    expect(dg[3]).toBeCloseTo(-dg[5], 15);
    expect(g[4]).toBeGreaterThan(g[3]);
  });

  it('constant images have zero gradient', () => {
    const n = 16;
    // (0.3 * sum of an odd kernel is 0 up to rounding)
    expect(gradError(new Float32Array(n).fill(0.3), new Float32Array(n).fill(0.7), 4, 4)).toBeCloseTo(0, 15);
    expect(computeMetrics(new Float32Array(n).fill(1), new Float32Array(n), 4, 4).grad).toBeCloseTo(0, 15);
  });

  it('a single-pixel impulse: sum |grad|^2 = ||hx||^2 + ||hy||^2 = 2', () => {
    // 9x9 zeros with pred(4,4) = 1, gt all zero. The 9x9 kernel fits inside the image, borders are 0,
    // so gx = hx and gy = hy shifted to the centre; |∇p|^2 = gx^2 + gy^2 summed = 1 + 1 = 2.
    // |∇g| = 0 -> Grad = 2 / 1000.
    const pred = new Float32Array(81);
    pred[4 * 9 + 4] = 1;
    expect(gradError(pred, new Float32Array(81), 9, 9)).toBeCloseTo(0.002, 12);
    expect(computeMetrics(pred, new Float32Array(81), 9, 9).grad).toBeCloseTo(0.002, 12);
  });

  it('impulses at far-apart places: disjoint supports add up', () => {
    // 9x18, pred impulse at (row 4, col 4), gt impulse at (row 4, col 13): supports cols 0..8 and 9..17
    // do not overlap -> error = sum |∇p|^2 + sum |∇g|^2 = 2 + 2 -> 4 / 1000.
    const pred = new Float32Array(9 * 18);
    const gt = new Float32Array(9 * 18);
    pred[4 * 18 + 4] = 1;
    gt[4 * 18 + 13] = 1;
    expect(gradError(pred, gt, 18, 9)).toBeCloseTo(0.004, 12);
  });

  it('mat2gray normalisation: an impulse of 0.5 scores like an impulse of 1', () => {
    // DIM applies mat2gray (min-max) before filtering: 0.5-impulse on 0 -> 1-impulse; Grad vs 1-impulse = 0
    const pred = new Float32Array(81);
    const gt = new Float32Array(81);
    pred[40] = 0.5;
    gt[40] = 1;
    expect(gradError(pred, gt, 9, 9)).toBeCloseTo(0, 12);
    // ...and against an all-zero gt it is the full 2/1000
    expect(gradError(pred, new Float32Array(81), 9, 9)).toBeCloseTo(0.002, 12);
  });
});

describe('Conn (DIM connectivity error, step 0.1, 4-connectivity)', () => {
  it('identical mattes -> 0', () => {
    const a = f32([1, 1, 0, 0.5]);
    expect(connError(a, a, 2, 2)).toBe(0);
  });

  it('single missing pixel in a full matte', () => {
    // gt = all 1 (3x3); pred = 1 except (2,2) = 0.
    // For every t in 0.1..1 the largest component of pred>=t & gt>=t is the other 8 pixels.
    // (2,2) leaves omega at t = 0.1 -> l = 0; the rest never leave -> l = 1.
    // (2,2): d_p = 0 -> phi_p = 1; d_g = 1 -> phi_g = 0 -> |diff| = 1. Others: d = 0 -> 0.
    // Conn = 1 / 1000
    const gt = new Float32Array(9).fill(1);
    const pred = new Float32Array(9).fill(1);
    pred[8] = 0;
    expect(connError(pred, gt, 3, 3)).toBeCloseTo(0.001, 12);
  });

  it('4x4 trace with an island, a soft pixel and a faint background pixel', () => {
    // gt:            pred:
    // 1 1 0 0        1 1    0   0
    // 1 1 0 0        1 0.75 0   0
    // 0 0 0 0        0 0    0.1 0
    // 0 0 0 1        0 0    0   0.5
    // t = 0.1..0.5: intersection = 2x2 block (4 px) + island (3,3) (1 px) -> largest = block.
    //   island, background, faint pixel: not in omega at t = 0.1 -> l = 0.
    // t = 0.8: (1,1) (pred 0.75) leaves the block -> l = 0.7. Block pixels of value 1 -> l = 1.
    // (1,1):  d_p = 0.75 - 0.7 = 0.05 < 0.15 -> phi_p = 1;  d_g = 0.3 -> phi_g = 0.7  -> 0.3
    // island: d_p = 0.5 -> phi_p = 0.5;  d_g = 1 -> phi_g = 0                       -> 0.5
    // faint (2,2): d_p = 0.1 < 0.15 -> phi_p = 1; d_g = 0 -> phi_g = 1              -> 0
    // Conn = 0.8 / 1000. (SAD = (0.25 + 0.5 + 0.1) / 1000 = 0.85 / 1000.)
    const gt = f32([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const pred = f32([1, 1, 0, 0, 1, 0.75, 0, 0, 0, 0, 0.1, 0, 0, 0, 0, 0.5]);
    const m = computeMetrics(pred, gt, 4, 4);
    expect(m.conn).toBeCloseTo(0.0008, 9);
    expect(m.sad).toBeCloseTo(0.00085, 9);
    // MSE = (0.0625 + 0.25 + 0.01) / 16 = 0.3225 / 16
    expect(m.mse).toBeCloseTo(0.3225 / 16, 9);
    // IoU: pred > .5 = block (4), gt > .5 = block + island (5) -> 4/5
    expect(m.iou).toBeCloseTo(0.8, 12);
  });

  it('uses 4-connectivity (diagonal neighbours are separate components)', () => {
    // gt = all 1 (3x3); pred:
    // 1 1 0
    // 1 0 0.35
    // 0 0 0.35
    // 4-conn: A = {(0,0),(0,1),(1,0)} (3 px) and B = {(1,2),(2,2)} (2 px); A is largest at t <= 0.3,
    //   B is never in omega -> l = 0; A stays in until t = 1 -> l = 1 (phi equal, 0).
    //   B: phi_p = 1 - 0.35 = 0.65, phi_g = 1 - 1 = 0 -> 0.65 each -> 1.3
    //   the four zeros: l = 0, phi_p = 1, phi_g = 0 -> 1 each -> 4
    //   Conn = 5.3 / 1000.
    // (With 8-connectivity A and B would merge through (0,1)-(1,2), B would get l = 0.3,
    //  phi_p = 1, phi_g = 0.3 -> 0.7 each, Conn = 5.4 / 1000.)
    const gt = new Float32Array(9).fill(1);
    const pred = f32([1, 1, 0, 1, 0, 0.35, 0, 0, 0.35]);
    expect(connError(pred, gt, 3, 3)).toBeCloseTo(0.0053, 9);
  });

  it('empty intersection at every threshold: l = 0 everywhere', () => {
    // pred = [1, 0], gt = [0, 1] (2x1): pred>=t & gt>=t is empty for all t -> l = 0.
    // px0: d_p = 1 -> phi_p = 0; d_g = 0 -> phi_g = 1 -> 1. px1: symmetric -> 1. Conn = 2/1000.
    expect(connError(f32([1, 0]), f32([0, 1]), 2, 1)).toBeCloseTo(0.002, 12);
  });
});

describe('meanMetrics', () => {
  it('averages each key; unknown keys only when all entries have them', () => {
    const a = { sad: 1, mse: 0.1, mad: 0.2, grad: 3, conn: 4, iou: 0.5, sad_unknown: 2, mse_unknown: 0.4 };
    const b = { sad: 3, mse: 0.3, mad: 0.4, grad: 5, conn: 6, iou: 1, sad_unknown: 4, mse_unknown: 0.6 };
    const c = { sad: 2, mse: 0.2, mad: 0.3, grad: 4, conn: 5, iou: 0 };
    const ab = meanMetrics([a, b]);
    expect(ab.sad).toBeCloseTo(2, 12);
    expect(ab.mse).toBeCloseTo(0.2, 12);
    expect(ab.mad).toBeCloseTo(0.3, 12);
    expect(ab.grad).toBeCloseTo(4, 12);
    expect(ab.conn).toBeCloseTo(5, 12);
    expect(ab.iou).toBeCloseTo(0.75, 12);
    expect(ab.sad_unknown).toBeCloseTo(3, 12);
    expect(ab.mse_unknown).toBeCloseTo(0.5, 12);
    const abc = meanMetrics([a, b, c]);
    expect(abc.sad).toBeCloseTo(2, 12);
    expect(abc.iou).toBeCloseTo(0.5, 12);
    expect('sad_unknown' in abc).toBe(false);
    expect('mse_unknown' in abc).toBe(false);
  });

  it('empty list gives NaN', () => {
    expect(meanMetrics([]).sad).toBeNaN();
  });
});
