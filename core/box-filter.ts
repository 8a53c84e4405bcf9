// Mean over a (2r+1)^2 window, shrunk at the borders (divided by the pixels actually covered) so
// edges are not darkened by implicit zero padding. Running sums make it O(N) whatever r is.
export function boxMean(src: Float64Array, width: number, height: number, r: number): Float64Array {
  const tmp = new Float64Array(width * height);
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
  const out = new Float64Array(width * height);
  for (let x = 0; x < width; x++) {
    let acc = 0;
    for (let y = 0; y < Math.min(r, height - 1) + 1; y++) acc += tmp[y * width + x];
    for (let y = 0; y < height; y++) {
      const lo = Math.max(0, y - r);
      const hi = Math.min(height - 1, y + r);
      out[y * width + x] = acc / (hi - lo + 1);
      if (y + r + 1 < height) acc += tmp[(y + r + 1) * width + x];
      if (y - r >= 0) acc -= tmp[(y - r) * width + x];
    }
  }
  return out;
}
