/**
 * Alpha-matte evaluation metrics, following the Deep Image Matting (Xu et al. 2017) MATLAB
 * evaluation code (compute_sad_loss / compute_mse_loss / compute_gradient_loss /
 * compute_connectivity_error) and alphamatting.com conventions. Pure TypeScript: no DOM, no fs.
 *
 * Alphas are in [0, 1] (the MATLAB code divides 0..255 mattes by 255 first; that is the same).
 * Without a trimap every metric is taken over the whole image (the DIM code restricts to
 * trimap == 128; we report that separately as `sad_unknown` / `mse_unknown`).
 *
 * - sad  = sum |p - g| / 1000
 * - mse  = mean (p - g)^2
 * - mad  = mean |p - g|            (alphamatting.com "MAD", also called MAE)
 * - grad = sum (|∇p| - |∇g|)^2 / 1000, ∇ by first-derivative-of-Gaussian filters (sigma 1.4,
 *          9x9, kernel divided by its L2 norm as in Guanglei Xiong's gaussgradient.m, replicate
 *          borders) after `mat2gray` (min-max normalisation of each matte, as DIM does)
 * - conn = sum |phi_p - phi_g| / 1000 with thresholds 0:0.1:1, largest 4-connected component of
 *          (p >= t) & (g >= t), l = last threshold before a pixel left that component (1 if
 *          never), d = alpha - l, phi = 1 - d * (d >= 0.15)
 * - iou  = |p > 0.5 ∩ g > 0.5| / |p > 0.5 ∪ g > 0.5| (1 when both are empty)
 * - sad_unknown = sum over trimap == 128 of |p - g| / 1000; mse_unknown = mean there
 *   (0 when the trimap has no unknown pixel).
 */

export interface MatteMetrics {
  sad: number;
  mse: number;
  mad: number;
  grad: number;
  conn: number;
  iou: number;
  sad_unknown?: number;
  mse_unknown?: number;
}

function checkSizes(pred: Float32Array, gt: Float32Array, width: number, height: number, trimap?: Uint8Array) {
  const n = width * height;
  if (!(width > 0 && height > 0) || !Number.isInteger(width) || !Number.isInteger(height)) {
    throw new Error(`computeMetrics: bad size ${width}x${height}`);
  }
  if (pred.length !== n || gt.length !== n) {
    throw new Error(`computeMetrics: expected ${n} values, got pred ${pred.length}, gt ${gt.length}`);
  }
  if (trimap && trimap.length !== n) {
    throw new Error(`computeMetrics: trimap has ${trimap.length} values, expected ${n}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Gradient error

function gauss(x: number, sigma: number): number {
  return Math.exp((-x * x) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
}

function dgauss(x: number, sigma: number): number {
  return (-x * gauss(x, sigma)) / (sigma * sigma);
}

/**
 * 1-D factors of the gaussgradient.m kernel hx(i, j) = gauss(u_i) * dgauss(u_j) / norm, where
 * norm = sqrt(sum hx^2) = sqrt(sum gauss^2) * sqrt(sum dgauss^2). Exported for tests.
 */
export function gaussGradientKernel(sigma = 1.4): { half: number; g: Float64Array; dg: Float64Array } {
  const epsilon = 1e-2;
  const half = Math.ceil(sigma * Math.sqrt(-2 * Math.log(Math.sqrt(2 * Math.PI) * sigma * epsilon)));
  const size = 2 * half + 1;
  const g = new Float64Array(size);
  const dg = new Float64Array(size);
  let sg = 0;
  let sdg = 0;
  for (let k = 0; k < size; k++) {
    g[k] = gauss(k - half, sigma);
    dg[k] = dgauss(k - half, sigma);
    sg += g[k] * g[k];
    sdg += dg[k] * dg[k];
  }
  const ng = Math.sqrt(sg);
  const ndg = Math.sqrt(sdg);
  for (let k = 0; k < size; k++) {
    g[k] /= ng;
    dg[k] /= ndg;
  }
  return { half, g, dg };
}

/** mat2gray: (a - min) / (max - min); a constant image is returned unchanged (its gradient is 0). */
function mat2gray(a: Float32Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Float64Array(a.length);
  if (hi > lo) {
    const s = 1 / (hi - lo);
    for (let i = 0; i < a.length; i++) out[i] = (a[i] - lo) * s;
  } else {
    for (let i = 0; i < a.length; i++) out[i] = a[i];
  }
  return out;
}

/**
 * 1-D convolution with replicate borders along one axis: `lines` lines of `length` samples, sample
 * i of line l at `l * lineStride + i * step`. out(i) = sum_k kernel(k) * in(i - (k - half)).
 */
function convolveAxis(
  src: Float64Array,
  lines: number,
  lineStride: number,
  length: number,
  step: number,
  kernel: Float64Array,
  half: number,
): Float64Array {
  const out = new Float64Array(src.length);
  for (let l = 0; l < lines; l++) {
    const base = l * lineStride;
    for (let i = 0; i < length; i++) {
      let s = 0;
      for (let k = 0; k < kernel.length; k++) {
        const j = Math.min(length - 1, Math.max(0, i - (k - half)));
        s += kernel[k] * src[base + j * step];
      }
      out[base + i * step] = s;
    }
  }
  return out;
}

/**
 * Separable convolution with replicate borders: rows with `kx` then columns with `ky`
 * (imfilter(..., 'replicate', 'conv'); the 2-D kernel ky ⊗ kx is separable).
 */
function conv2Separable(
  im: Float64Array,
  w: number,
  h: number,
  kx: Float64Array,
  ky: Float64Array,
  half: number,
): Float64Array {
  const rows = convolveAxis(im, h, w, w, 1, kx, half);
  return convolveAxis(rows, w, 1, h, w, ky, half);
}

function gradientMagnitude(a: Float32Array, w: number, h: number, sigma: number): Float64Array {
  const { half, g, dg } = gaussGradientKernel(sigma);
  const im = mat2gray(a);
  // hx(i, j) = gauss(row offset) * dgauss(col offset): derivative along x (columns).
  const gx = conv2Separable(im, w, h, dg, g, half);
  // hy = hx': derivative along y.
  const gy = conv2Separable(im, w, h, g, dg, half);
  const amp = new Float64Array(w * h);
  for (let i = 0; i < amp.length; i++) amp[i] = Math.sqrt(gx[i] * gx[i] + gy[i] * gy[i]);
  return amp;
}

export function gradError(pred: Float32Array, gt: Float32Array, width: number, height: number, sigma = 1.4): number {
  const ap = gradientMagnitude(pred, width, height, sigma);
  const ag = gradientMagnitude(gt, width, height, sigma);
  let s = 0;
  for (let i = 0; i < ap.length; i++) {
    const d = ap[i] - ag[i];
    s += d * d;
  }
  return s / 1000;
}

// ---------------------------------------------------------------------------------------------
// Connectivity error

/**
 * Marks (in `omega`, 1/0) the largest 4-connected component of `fg`. Ties go to the component
 * met first in column-major order (the order of MATLAB's bwconncomp labels and `max`).
 * Returns the size of that component (0 when `fg` is empty).
 */
function largestComponent4(
  fg: Uint8Array,
  w: number,
  h: number,
  omega: Uint8Array,
  labels: Int32Array,
  stack: Int32Array,
): number {
  labels.fill(0);
  omega.fill(0);
  let nextLabel = 0;
  let bestLabel = 0;
  let bestSize = 0;
  // column-major scan
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      const start = y * w + x;
      if (!fg[start] || labels[start]) continue;
      nextLabel++;
      let size = 0;
      let sp = 0;
      stack[sp++] = start;
      labels[start] = nextLabel;
      while (sp > 0) {
        const p = stack[--sp];
        size++;
        const px = p % w;
        const py = (p - px) / w;
        if (px > 0 && fg[p - 1] && !labels[p - 1]) {
          labels[p - 1] = nextLabel;
          stack[sp++] = p - 1;
        }
        if (px < w - 1 && fg[p + 1] && !labels[p + 1]) {
          labels[p + 1] = nextLabel;
          stack[sp++] = p + 1;
        }
        if (py > 0 && fg[p - w] && !labels[p - w]) {
          labels[p - w] = nextLabel;
          stack[sp++] = p - w;
        }
        if (py < h - 1 && fg[p + w] && !labels[p + w]) {
          labels[p + w] = nextLabel;
          stack[sp++] = p + w;
        }
      }
      if (size > bestSize) {
        bestSize = size;
        bestLabel = nextLabel;
      }
    }
  }
  if (bestLabel) {
    for (let i = 0; i < labels.length; i++) if (labels[i] === bestLabel) omega[i] = 1;
  }
  return bestSize;
}

export function connError(pred: Float32Array, gt: Float32Array, width: number, height: number, step = 0.1): number {
  const n = width * height;
  const nSteps = Math.round(1 / step);
  const thresh = (k: number) => k / nSteps; // 0, 0.1, ..., 1 without accumulated rounding
  const lMap = new Float64Array(n).fill(-1);
  const fg = new Uint8Array(n);
  const omega = new Uint8Array(n);
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  for (let ii = 1; ii <= nSteps; ii++) {
    const t = thresh(ii);
    for (let i = 0; i < n; i++) fg[i] = pred[i] >= t && gt[i] >= t ? 1 : 0;
    largestComponent4(fg, width, height, omega, labels, stack);
    const prev = thresh(ii - 1);
    for (let i = 0; i < n; i++) if (lMap[i] === -1 && omega[i] === 0) lMap[i] = prev;
  }
  let s = 0;
  for (let i = 0; i < n; i++) {
    const l = lMap[i] === -1 ? 1 : lMap[i];
    const dp = pred[i] - l;
    const dg = gt[i] - l;
    const phiP = 1 - (dp >= 0.15 ? dp : 0);
    const phiG = 1 - (dg >= 0.15 ? dg : 0);
    s += Math.abs(phiP - phiG);
  }
  return s / 1000;
}

// ---------------------------------------------------------------------------------------------

/** IoU of (pred > 0.5) against (gt > 0.5); 1 when both are empty. */
export function binaryIou(pred: ArrayLike<number>, gt: ArrayLike<number>): number {
  let inter = 0;
  let uni = 0;
  for (let i = 0; i < gt.length; i++) {
    const pb = pred[i] > 0.5;
    const gb = gt[i] > 0.5;
    if (pb && gb) inter++;
    if (pb || gb) uni++;
  }
  return uni === 0 ? 1 : inter / uni;
}

export function computeMetrics(
  pred: Float32Array,
  gt: Float32Array,
  width: number,
  height: number,
  trimap?: Uint8Array,
): MatteMetrics {
  checkSizes(pred, gt, width, height, trimap);
  const n = width * height;
  let sumAbs = 0;
  let sumSq = 0;
  let uAbs = 0;
  let uSq = 0;
  let uCount = 0;
  for (let i = 0; i < n; i++) {
    const p = pred[i];
    const g = gt[i];
    const d = p - g;
    const ad = Math.abs(d);
    sumAbs += ad;
    sumSq += d * d;
    if (trimap && trimap[i] === 128) {
      uAbs += ad;
      uSq += d * d;
      uCount++;
    }
  }
  const out: MatteMetrics = {
    sad: sumAbs / 1000,
    mse: sumSq / n,
    mad: sumAbs / n,
    grad: gradError(pred, gt, width, height),
    conn: connError(pred, gt, width, height),
    iou: binaryIou(pred, gt),
  };
  if (trimap) {
    out.sad_unknown = uAbs / 1000;
    out.mse_unknown = uCount ? uSq / uCount : 0;
  }
  return out;
}

/** The metrics every evaluation reports, in the order tables show them. */
export const METRIC_KEYS = ['sad', 'mse', 'mad', 'grad', 'conn', 'iou'] as const;
/** Reported only with a trimap. */
export const UNKNOWN_REGION_KEYS = ['sad_unknown', 'mse_unknown'] as const;

/** Mean of each metric over `list`; the unknown-region keys only when every entry has them. */
export function meanMetrics(list: MatteMetrics[]): MatteMetrics {
  const out: MatteMetrics = { sad: NaN, mse: NaN, mad: NaN, grad: NaN, conn: NaN, iou: NaN };
  if (list.length === 0) return out;
  for (const k of METRIC_KEYS) {
    let s = 0;
    for (const m of list) s += m[k];
    out[k] = s / list.length;
  }
  for (const k of UNKNOWN_REGION_KEYS) {
    if (list.every((m) => typeof m[k] === 'number')) {
      let s = 0;
      for (const m of list) s += m[k] as number;
      out[k] = s / list.length;
    }
  }
  return out;
}
