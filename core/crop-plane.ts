/**
 * The top-left w×h of a size×size plane: the image's part of a letterboxed model output; into
 * `out` when given (any content, overwritten), the plane itself when it is all image.
 */
export function cropPlane(plane: Float32Array, size: number, w: number, h: number, out?: Float32Array): Float32Array {
  if (w === size && h === size) return plane;
  const cropped = out ?? new Float32Array(w * h);
  for (let y = 0; y < h; y++) cropped.set(plane.subarray(y * size, y * size + w), y * w);
  return cropped;
}
