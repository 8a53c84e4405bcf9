// Times foreground estimation on one input: the estimator alone, and the whole cut-out with and
// without it (what Apply pays). Shared by Node and the Chromium page; the functions are passed in
// so the page's bundle and Node time the very same code.
import type { applyAlphaAsCutout } from '../core/composite';
import type { estimateForeground } from '../core/estimate-foreground';
import type { RgbaImage } from '../core/rgba-image';

export interface ForegroundTiming {
  size: number;
  runs: number;
  /** Medians, ms. */
  estimateMs: number;
  cutoutMs: number;
  cutoutDecontaminatedMs: number;
  /** Share of pixels with 0 < alpha < 1. */
  softShare: number;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function timeForeground(
  input: { image: RgbaImage; alpha: Float32Array },
  runs: number,
  estimate: typeof estimateForeground,
  cutout: typeof applyAlphaAsCutout,
): ForegroundTiming {
  const { image, alpha } = input;
  const time = (fn: () => unknown) => {
    fn(); // warm-up (JIT)
    const t: number[] = [];
    for (let k = 0; k < runs; k++) {
      const t0 = performance.now();
      fn();
      t.push(performance.now() - t0);
    }
    return median(t);
  };
  let soft = 0;
  for (let i = 0; i < alpha.length; i++) if (alpha[i] > 0 && alpha[i] < 1) soft++;
  return {
    size: image.width,
    runs,
    estimateMs: time(() => estimate(image, alpha)),
    cutoutMs: time(() => cutout(image, alpha)),
    cutoutDecontaminatedMs: time(() => cutout(image, alpha, { decontaminate: true })),
    softShare: soft / alpha.length,
  };
}
