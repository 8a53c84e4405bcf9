/** `v` limited to [0, 1] (alpha, colours in 0..1, a segment parameter). NaN stays NaN. */
export function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
