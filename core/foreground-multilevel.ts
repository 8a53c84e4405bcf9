// Multi-level foreground estimation (Germer, Uelwer, Conrad, Harmeling, "Fast multi-level
// foreground estimation", ICPR 2020; the algorithm of pymatting's estimate_foreground_ml): solve
// for F and B with I = aF + (1-a)B plus a smoothness term weighted by alpha's local gradient,
// by Gauss-Seidel sweeps from a 1x1 image up to full size (nearest-neighbour resizing, each level
// starting from the coarser level's result).
//
// One change for speed: on levels larger than ALL_PIXELS_UP_TO, only pixels within `bandRadius`
// of a soft pixel (0 < a < 1) are swept. Elsewhere F and B keep the coarser level's values,
// which is what the sweeps would only blur a little further, and nobody reads F where a is 0 or 1.
import { boxBlurPlane } from './box-filter';
import { clamp01 } from './clamp01';
import { Scratch } from './scratch';

export interface MultiLevelOptions {
  regularization: number;
  /** Sweeps on levels no larger than smallSize x smallSize. */
  smallIterations: number;
  /** Sweeps on the larger levels. */
  bigIterations: number;
  smallSize: number;
  /** Weight of |a - a_neighbour| in the smoothness term. */
  gradientWeight: number;
  /** Pixels this close to a soft one are swept on large levels. */
  bandRadius: number;
}

// pymatting's defaults except gradientWeight 0.1 (instead of 1) and 5 big sweeps (instead of 2):
// on the held-out composites (bench/RESULTS.md) the soft-band error with the true alpha drops from
// 14.5 to 10.6 (the photo: 26.0), and the band restriction pays for the extra sweeps. A band of
// 3, 4, 6 or 12 pixels gave the same error there.
export const MULTILEVEL_DEFAULTS: MultiLevelOptions = {
  regularization: 1e-5,
  smallIterations: 10,
  bigIterations: 5,
  smallSize: 32,
  gradientWeight: 0.1,
  bandRadius: 4,
};

/** Levels up to this many pixels are swept everywhere (cheap, and they carry colour far). */
const ALL_PIXELS_UP_TO = 128 * 128;

function resizeNearest(
  src: Float32Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  channels: number,
  out: Float32Array = new Float32Array(dw * dh * channels),
): Float32Array {
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(sh - 1, Math.floor((y * sh) / dh));
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(sw - 1, Math.floor((x * sw) / dw));
      const s = (sy * sw + sx) * channels;
      const d = (y * dw + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = src[s + c];
    }
  }
  return out;
}

/** Indices (in scan order) of the pixels within `r` of a soft pixel. */
function softBand(a: Float32Array, w: number, h: number, r: number, scratch: Scratch): Int32Array {
  const n = w * h;
  const soft = scratch.float32('band-soft', n);
  let count = 0;
  for (let i = 0; i < n; i++) soft[i] = a[i] > 0 && a[i] < 1 ? 1 : 0;
  const near = boxBlurPlane(
    soft,
    w,
    h,
    r,
    scratch.float32('band-near', n),
    scratch.float32('band-tmp', n),
    scratch.float64('band-columns', w),
  );
  for (let i = 0; i < near.length; i++) if (near[i] > 0) count++;
  const out = scratch.int32('band', count);
  let k = 0;
  for (let i = 0; i < near.length; i++) if (near[i] > 0) out[k++] = i;
  return out;
}

export interface ForegroundAndBackground {
  /** Interleaved RGB, 0..1. */
  f: Float32Array;
  b: Float32Array;
}

/**
 * `iterations` Jacobi-style sweeps of the per-pixel 2x2 solve over one pyramid level, updating
 * `f` and `b` (interleaved RGB, w x h) in place; only the pixels in `band` when there is one.
 */
function solveLevel(
  img: Float32Array,
  a: Float32Array,
  f: Float32Array,
  b: Float32Array,
  w: number,
  h: number,
  band: Int32Array | null,
  iterations: number,
  opts: MultiLevelOptions,
): void {
  const reg = opts.regularization;
  const gw = opts.gradientWeight;
  // Reused for every pixel: this is the hot loop, an allocation per pixel would dominate it.
  const neighbours = new Int32Array(4);
  const count = band ? band.length : w * h;
  for (let it = 0; it < iterations; it++) {
    for (let k = 0; k < count; k++) {
      const p = band ? band[k] : k;
      const y = (p / w) | 0;
      const x = p - y * w;
      const a0 = a[p];
      const a1 = 1 - a0;
      let a00 = a0 * a0;
      const a01 = a0 * a1;
      let a11 = a1 * a1;
      const q = 3 * p;
      let f0 = a0 * img[q],
        f1 = a0 * img[q + 1],
        f2 = a0 * img[q + 2];
      let b0 = a1 * img[q],
        b1 = a1 * img[q + 1],
        b2 = a1 * img[q + 2];
      // Four neighbours, clamped at the border (as pymatting does).
      neighbours[0] = x > 0 ? p - 1 : p;
      neighbours[1] = x < w - 1 ? p + 1 : p;
      neighbours[2] = y > 0 ? p - w : p;
      neighbours[3] = y < h - 1 ? p + w : p;
      for (let n = 0; n < 4; n++) {
        const pn = neighbours[n];
        const da = reg + gw * Math.abs(a0 - a[pn]);
        const q2 = 3 * pn;
        a00 += da;
        a11 += da;
        f0 += da * f[q2];
        f1 += da * f[q2 + 1];
        f2 += da * f[q2 + 2];
        b0 += da * b[q2];
        b1 += da * b[q2 + 1];
        b2 += da * b[q2 + 2];
      }
      const inv = 1 / (a00 * a11 - a01 * a01);
      const m00 = inv * a11,
        m01 = -inv * a01,
        m11 = inv * a00;
      f[q] = clamp01(m00 * f0 + m01 * b0);
      b[q] = clamp01(m01 * f0 + m11 * b0);
      f[q + 1] = clamp01(m00 * f1 + m01 * b1);
      b[q + 1] = clamp01(m01 * f1 + m11 * b1);
      f[q + 2] = clamp01(m00 * f2 + m01 * b2);
      b[q + 2] = clamp01(m01 * f2 + m11 * b2);
    }
  }
}

/**
 * F and B for every pixel of `rgb` (interleaved, 0..1), `alpha` 0..1, both `width` x `height`.
 * The levels' planes come from `scratch`, the returned F and B too: they hold until its next use.
 */
export function multiLevelForeground(
  rgb: Float32Array,
  alpha: Float32Array,
  width: number,
  height: number,
  opts: MultiLevelOptions = MULTILEVEL_DEFAULTS,
  scratch: Scratch = new Scratch(),
): ForegroundAndBackground {
  const levels = Math.ceil(Math.log2(Math.max(width, height)));
  let fPrev: Float32Array = new Float32Array(3);
  let bPrev: Float32Array = new Float32Array(3);
  let wPrev = 1;
  let hPrev = 1;
  // Coarse to fine: each level starts from the previous level's F and B, upsampled.
  for (let level = 0; level <= levels; level++) {
    const w = levels === 0 ? width : Math.round(width ** (level / levels));
    const h = levels === 0 ? height : Math.round(height ** (level / levels));
    const full = w === width && h === height;
    const n = w * h;
    const img = full ? rgb : resizeNearest(rgb, width, height, w, h, 3, scratch.float32('level-rgb', 3 * n));
    const a = full ? alpha : resizeNearest(alpha, width, height, w, h, 1, scratch.float32('level-alpha', n));
    // Each level reads the previous one's F and B while writing its own: two of each, in turn.
    const f = resizeNearest(fPrev, wPrev, hPrev, w, h, 3, scratch.float32(`f${level % 2}`, 3 * n));
    const b = resizeNearest(bPrev, wPrev, hPrev, w, h, 3, scratch.float32(`b${level % 2}`, 3 * n));
    const iterations = w <= opts.smallSize && h <= opts.smallSize ? opts.smallIterations : opts.bigIterations;
    const band = n <= ALL_PIXELS_UP_TO ? null : softBand(a, w, h, opts.bandRadius, scratch);
    solveLevel(img, a, f, b, w, h, band, iterations, opts);
    fPrev = f;
    bPrev = b;
    wPrev = w;
    hPrev = h;
  }
  return { f: fPrev, b: bPrev };
}
