/** The top-left w×h of a size×size plane: the image's part of a letterboxed model output. */
export function cropPlane(plane: Float32Array, size: number, w: number, h: number): Float32Array {
  if (w === size && h === size) return plane;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) out.set(plane.subarray(y * size, y * size + w), y * w);
  return out;
}
