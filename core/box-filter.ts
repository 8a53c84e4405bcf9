// Mean over a (2r+1)^2 window, shrunk at the borders (divided by the pixels actually covered) so
// edges are not darkened by implicit zero padding. Running sums make it O(N) whatever r is.
// The vertical pass keeps one accumulator per column and walks the rows in order: a
// column-by-column pass thrashes the cache on the 4096x4096 planes foreground estimation blurs.

type Plane = Float32Array | Float64Array;

function boxMeanInto(
  src: Plane,
  width: number,
  height: number,
  r: number,
  out: Plane,
  tmp: Plane,
  colAcc: Float64Array,
): void {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let acc = 0;
    for (let x = 0; x < Math.min(r, width - 1) + 1; x++) acc += src[row + x];
    for (let x = 0; x < width; x++) {
      const lo = Math.max(0, x - r);
      const hi = Math.min(width - 1, x + r);
      tmp[row + x] = acc / (hi - lo + 1);
      if (x + r + 1 < width) acc += src[row + x + r + 1];
      if (x - r >= 0) acc -= src[row + x - r];
    }
  }
  colAcc.fill(0, 0, width);
  for (let y = 0; y < Math.min(r, height - 1) + 1; y++) {
    for (let x = 0; x < width; x++) colAcc[x] += tmp[y * width + x];
  }
  for (let y = 0; y < height; y++) {
    const covered = Math.min(height - 1, y + r) - Math.max(0, y - r) + 1;
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = colAcc[x] / covered;
    if (y + r + 1 < height) {
      const add = (y + r + 1) * width;
      for (let x = 0; x < width; x++) colAcc[x] += tmp[add + x];
    }
    if (y - r >= 0) {
      const sub = (y - r) * width;
      for (let x = 0; x < width; x++) colAcc[x] -= tmp[sub + x];
    }
  }
}

/** The mean of a float64 plane into `out` (may not alias `src`); `colAcc` is scratch of at least `width`. */
export function boxMean(
  src: Float64Array,
  width: number,
  height: number,
  r: number,
  buffers: { out: Float64Array; tmp: Float64Array; colAcc: Float64Array },
): Float64Array {
  boxMeanInto(src, width, height, r, buffers.out, buffers.tmp, buffers.colAcc);
  return buffers.out;
}

/**
 * The same mean on float32 planes, into `out` (may not alias `src`), with caller-owned scratch:
 * foreground estimation blurs a dozen 4096x4096 planes, and float64 ones would double the memory.
 * `colAcc` is scratch of at least `width`.
 */
export function boxBlurPlane(
  src: Float32Array,
  width: number,
  height: number,
  r: number,
  out: Float32Array = new Float32Array(width * height),
  tmp: Float32Array = new Float32Array(width * height),
  colAcc: Float64Array = new Float64Array(width),
): Float32Array {
  if (r <= 0) out.set(src.subarray(0, width * height));
  else boxMeanInto(src, width, height, r, out, tmp, colAcc);
  return out;
}
