// "Decontaminate colours": at soft pixels (0 < alpha < 1) a photo's colour is a mix of the
// subject and the old background; a cut-out that keeps it shows a fringe of the old background on
// any new one. This finds the subject's own colour there (multi-level foreground estimation,
// core/foreground-multilevel.ts; chosen over blur-fusion by the measurements in bench/RESULTS.md).
import type { RgbaImage } from './rgba-image';
import { multiLevelForeground, MULTILEVEL_DEFAULTS, type MultiLevelOptions } from './foreground-multilevel';
import { boxDownsample } from './box-downsample';
import { clamp01 } from './clamp01';
import { Scratch } from './scratch';

export interface EstimateForegroundOptions {
  /**
   * Larger photos are solved shrunk by an integer factor to at most this long side, and brought
   * back with one full-resolution step:
   * the solver's float planes for a 4096x4096 photo would take 400 MB, too much for the plugin's
   * iframe, and the colours it finds vary slowly along the edge anyway.
   */
  maxWorkSide?: number;
  solver?: MultiLevelOptions;
  /** Where the solver's planes come from (core/scratch.ts): a caller that estimates often keeps one. */
  scratch?: Scratch;
}

export const MAX_WORK_SIDE = 1024;

/**
 * Returns a copy of `image` whose RGB, wherever 0 < alpha < 1, is the estimated foreground colour.
 * Every other byte (RGB where alpha is 0 or 1, and the alpha channel) is copied unchanged.
 */
export function estimateForeground(
  image: RgbaImage,
  alpha: Float32Array,
  options: EstimateForegroundOptions = {},
): RgbaImage {
  const copy = { width: image.width, height: image.height, data: new Uint8Array(image.data) };
  estimateForegroundInPlace(copy, alpha, options);
  return copy;
}

/** The same, writing into `image` itself: a 4096x4096 cut-out need not hold a second 64 MB copy. */
export function estimateForegroundInPlace(
  image: RgbaImage,
  alpha: Float32Array,
  options: EstimateForegroundOptions = {},
): void {
  const { width: W, height: H } = image;
  const n = W * H;
  if (alpha.length !== n) throw new Error(`estimateForeground: alpha has ${alpha.length} values for a ${W}x${H} image`);
  let soft = 0;
  for (let i = 0; i < n; i++) if (alpha[i] > 0 && alpha[i] < 1) soft++;
  if (soft === 0) return;
  if (Math.max(W, H) <= (options.maxWorkSide ?? MAX_WORK_SIDE)) solveAtFullSize(image, alpha, options);
  else {
    const shrink = (k: number) => ({
      rgb: boxDownsample(image.data, W, H, k, 3, 4, 1 / 255).data,
      alpha: boxDownsample(alpha, W, H, k, 1).data,
    });
    solveShrunk(image, (i) => alpha[i], shrink, options);
  }
}

/**
 * In place, with the image's own alpha channel as the alpha (what the cut-out writes): spares the
 * cut-out a float copy of its alpha, another 64 MB at 4096x4096.
 */
export function estimateForegroundByOwnAlpha(image: RgbaImage, options: EstimateForegroundOptions = {}): void {
  const { width: W, height: H, data } = image;
  const n = W * H;
  let soft = 0;
  for (let i = 0; i < n; i++) if (data[4 * i + 3] > 0 && data[4 * i + 3] < 255) soft++;
  if (soft === 0) return;
  if (Math.max(W, H) <= (options.maxWorkSide ?? MAX_WORK_SIDE)) {
    const scratch = options.scratch ?? new Scratch();
    const alpha = scratch.float32('own-alpha', n);
    for (let i = 0; i < n; i++) alpha[i] = data[4 * i + 3] / 255;
    solveAtFullSize(image, alpha, { ...options, scratch });
  } else {
    // Photo and alpha shrunk together: one pass over the bytes.
    solveShrunk(
      image,
      (i) => data[4 * i + 3] / 255,
      (k) => splitRgba(boxDownsample(data, W, H, k, 4, 4, 1 / 255).data),
      options,
    );
  }
}

// Both write into image.data: each pixel's RGB is read before it is overwritten.

function solveAtFullSize(image: RgbaImage, alpha: Float32Array, options: EstimateForegroundOptions): void {
  const { width: W, height: H, data } = image;
  const n = W * H;
  const scratch = options.scratch ?? new Scratch();
  const rgb = scratch.float32('rgb', 3 * n);
  for (let i = 0; i < n; i++) {
    rgb[3 * i] = data[4 * i] / 255;
    rgb[3 * i + 1] = data[4 * i + 1] / 255;
    rgb[3 * i + 2] = data[4 * i + 2] / 255;
  }
  const { f } = multiLevelForeground(rgb, alpha, W, H, options.solver ?? MULTILEVEL_DEFAULTS, scratch);
  for (let i = 0; i < n; i++) {
    const a = alpha[i];
    if (!(a > 0 && a < 1)) continue;
    data[4 * i] = Math.round(f[3 * i] * 255);
    data[4 * i + 1] = Math.round(f[3 * i + 1] * 255);
    data[4 * i + 2] = Math.round(f[3 * i + 2] * 255);
  }
}

/** Interleaved RGBA floats -> RGB (interleaved) and alpha planes. */
function splitRgba(rgba: Float32Array): { rgb: Float32Array; alpha: Float32Array } {
  const n = rgba.length / 4;
  const rgb = new Float32Array(3 * n);
  const alpha = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    rgb[3 * i] = rgba[4 * i];
    rgb[3 * i + 1] = rgba[4 * i + 1];
    rgb[3 * i + 2] = rgba[4 * i + 2];
    alpha[i] = rgba[4 * i + 3];
  }
  return { rgb, alpha };
}

function solveShrunk(
  image: RgbaImage,
  alphaAt: (i: number) => number,
  shrink: (k: number) => { rgb: Float32Array; alpha: Float32Array },
  options: EstimateForegroundOptions,
): void {
  const { width: W, height: H, data } = image;
  const maxSide = options.maxWorkSide ?? MAX_WORK_SIDE;
  // Integer shrink factor, so the small image is a plain block average of the photo (cheap).
  const k = Math.ceil(Math.max(W, H) / maxSide);
  const w = Math.ceil(W / k);
  const h = Math.ceil(H / k);
  const small = shrink(k);
  const { f, b } = multiLevelForeground(
    small.rgb,
    small.alpha,
    w,
    h,
    options.solver ?? MULTILEVEL_DEFAULTS,
    options.scratch,
  );
  // Full resolution: F and B sampled bilinearly from the small solution (block j is centred at
  // (j + 0.5) k), then the pixel's own residual against I = aF + (1-a)B goes to F in proportion
  // to alpha (the last step of blur-fusion), so detail finer than the small solution survives
  // where the subject dominates.
  for (let y = 0; y < H; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) / k - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const a = alphaAt(i);
      if (!(a > 0 && a < 1)) continue;
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) / k - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const p00 = 3 * (y0 * w + x0),
        p01 = 3 * (y0 * w + x1),
        p10 = 3 * (y1 * w + x0),
        p11 = 3 * (y1 * w + x1);
      const k00 = (1 - tx) * (1 - ty),
        k01 = tx * (1 - ty),
        k10 = (1 - tx) * ty,
        k11 = tx * ty;
      for (let c = 0; c < 3; c++) {
        const fHat = f[p00 + c] * k00 + f[p01 + c] * k01 + f[p10 + c] * k10 + f[p11 + c] * k11;
        const bHat = b[p00 + c] * k00 + b[p01 + c] * k01 + b[p10 + c] * k10 + b[p11 + c] * k11;
        const v = fHat + a * (data[4 * i + c] / 255 - a * fHat - (1 - a) * bHat);
        data[4 * i + c] = Math.round(clamp01(v) * 255);
      }
    }
  }
}
