// Measurement only (bench/foreground-quality.ts): the candidate the plugin did not ship.
// Blur-fusion foreground estimation (Forte & Pitié, "Approximate fast foreground colour
// estimation", ICIP 2021): local means of the foreground and the background, weighted by alpha and
// 1 - alpha, then each pixel's residual against the compositing equation I = aF + (1-a)B is handed
// to F in proportion to a. Run twice: a wide pass finds colours far from the edge, a narrow pass
// refines them with the first pass's F and B as inputs.
import { boxBlurPlane } from '../core/box-filter';
import { clamp01 } from '../core/clamp01';

export interface BlurFusionOptions {
  /** Radius of the wide pass, in pixels. */
  wideRadius: number;
  /** Radius of the refining pass, in pixels. */
  narrowRadius: number;
}

/** Planes of the input photo, 0..1. */
export type Planes = [Float32Array, Float32Array, Float32Array];

const EPS = 1e-5;

/**
 * One blur-fusion pass. F and B are the current guesses (the photo itself the first time).
 * Writes the new F into `fOut` and the local background mean into `bOut`.
 */
function pass(
  image: Planes,
  f: Planes,
  b: Planes,
  alpha: Float32Array,
  width: number,
  height: number,
  r: number,
  fOut: Planes,
  bOut: Planes,
  scratch: { a: Float32Array; x: Float32Array; y: Float32Array; tmp: Float32Array; acc: Float64Array },
): void {
  const n = width * height;
  const { a: blurA, x, y, tmp, acc } = scratch;
  boxBlurPlane(alpha, width, height, r, blurA, tmp, acc);
  for (let c = 0; c < 3; c++) {
    const fc = f[c];
    const bc = b[c];
    const ic = image[c];
    // x = blur(F a), y = blur(B (1 - a)): weighted local means.
    const weighted = bOut[c]; // reused as scratch before it receives its final value
    for (let i = 0; i < n; i++) weighted[i] = fc[i] * alpha[i];
    boxBlurPlane(weighted, width, height, r, x, tmp, acc);
    for (let i = 0; i < n; i++) weighted[i] = bc[i] * (1 - alpha[i]);
    boxBlurPlane(weighted, width, height, r, y, tmp, acc);
    const fo = fOut[c];
    const bo = bOut[c];
    for (let i = 0; i < n; i++) {
      const ba = blurA[i];
      const fHat = x[i] / (ba + EPS);
      const bHat = y[i] / (1 - ba + EPS);
      const a = alpha[i];
      const v = fHat + a * (ic[i] - a * fHat - (1 - a) * bHat);
      fo[i] = clamp01(v);
      bo[i] = bHat;
    }
  }
}

/** Foreground colour planes (0..1) for the whole image. */
export function blurFusionForeground(
  image: Planes,
  alpha: Float32Array,
  width: number,
  height: number,
  opts: BlurFusionOptions,
): Planes {
  const n = width * height;
  const plane = () => new Float32Array(n);
  const scratch = { a: plane(), x: plane(), y: plane(), tmp: plane(), acc: new Float64Array(width) };
  const f1: Planes = [plane(), plane(), plane()];
  const b1: Planes = [plane(), plane(), plane()];
  pass(image, image, image, alpha, width, height, opts.wideRadius, f1, b1, scratch);
  const f2: Planes = [plane(), plane(), plane()];
  // The second pass's background means are not needed afterwards: write them over the scratch
  // planes of the first pass's F would alias its input, so they get planes of their own.
  const b2: Planes = [plane(), plane(), plane()];
  pass(image, f1, b1, alpha, width, height, opts.narrowRadius, f2, b2, scratch);
  return f2;
}
