// Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012): two 1-D lower-envelope
// passes, O(N). Used to find the most interior point of a region.

/** Squared distance from each pixel to the nearest pixel where `inside` is false (0 outside). */
export function squaredDistanceToOutside(
  inside: ArrayLike<boolean | number>,
  width: number,
  height: number,
): Float64Array {
  const INF = 1e20;
  const f = new Float64Array(width * height);
  for (let i = 0; i < f.length; i++) f[i] = inside[i] ? INF : 0;
  const n = Math.max(width, height);
  const buf = new Float64Array(n);
  const out = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) buf[y] = f[y * width + x];
    edt1d(buf, height, out, v, z);
    for (let y = 0; y < height; y++) f[y * width + x] = out[y];
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) buf[x] = f[y * width + x];
    edt1d(buf, width, out, v, z);
    for (let x = 0; x < width; x++) f[y * width + x] = out[x];
  }
  return f;
}

function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    // z[0] = -Infinity stops the loop at k = 0.
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const p = v[k];
    d[q] = (q - p) * (q - p) + f[p];
  }
}
