// Box blur of one float32 plane over a (2r+1)^2 window, shrunk at the borders (divided by the
// pixels actually covered, like core/box-filter.ts) so the image edge is not darkened. Float32 and
// row-ordered passes because foreground estimation blurs a dozen 4096x4096 planes: float64 planes
// would double the memory, and a column-by-column vertical pass thrashes the cache.

/** Blurs `src` into `out` (may not alias `src`). `rowAcc` is scratch of at least `width`. */
export function boxBlurPlane(
  src: Float32Array,
  width: number,
  height: number,
  r: number,
  out: Float32Array = new Float32Array(width * height),
  tmp: Float32Array = new Float32Array(width * height),
  rowAcc: Float64Array = new Float64Array(width),
): Float32Array {
  if (r <= 0) {
    out.set(src.subarray(0, width * height));
    return out;
  }
  // Horizontal: running sum along each row.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let acc = 0;
    const first = Math.min(r, width - 1);
    for (let x = 0; x <= first; x++) acc += src[row + x];
    for (let x = 0; x < width; x++) {
      const lo = x - r < 0 ? 0 : x - r;
      const hi = x + r > width - 1 ? width - 1 : x + r;
      tmp[row + x] = acc / (hi - lo + 1);
      if (x + r + 1 < width) acc += src[row + x + r + 1];
      if (x - r >= 0) acc -= src[row + x - r];
    }
  }
  // Vertical: one accumulator per column, walked row by row so memory is read in order.
  rowAcc.fill(0, 0, width);
  const firstRow = Math.min(r, height - 1);
  for (let y = 0; y <= firstRow; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) rowAcc[x] += tmp[row + x];
  }
  for (let y = 0; y < height; y++) {
    const lo = y - r < 0 ? 0 : y - r;
    const hi = y + r > height - 1 ? height - 1 : y + r;
    const inv = 1 / (hi - lo + 1);
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = rowAcc[x] * inv;
    if (y + r + 1 < height) {
      const add = (y + r + 1) * width;
      for (let x = 0; x < width; x++) rowAcc[x] += tmp[add + x];
    }
    if (y - r >= 0) {
      const sub = (y - r) * width;
      for (let x = 0; x < width; x++) rowAcc[x] -= tmp[sub + x];
    }
  }
  return out;
}
