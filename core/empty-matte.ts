// An empty matte (nothing cut out) is never handed to the user as if it were a result: the CLI
// refuses to write one unless asked and the panel keeps Apply off, each saying why.
import type { RgbaImage } from './rgba-image';

/** Channel values this close count as one colour (JPEG noise on a flat backdrop). */
const FLAT_TOLERANCE = 2;

/**
 * Empty: the matte's coverage (sum of alpha, in source pixels) is under one cell of the model's
 * feature grid. The model cannot resolve anything smaller than a cell, so such a remnant is the
 * fringe around a prompt that selected nothing, not an object. The CLI and the panel share it, so
 * a matte one refuses the other does not write.
 */
export function isEmptyMatte(alpha: Float32Array, width: number, height: number, featureSize: number): boolean {
  const cellSide = Math.max(width, height) / featureSize;
  const minCoverage = Math.max(1, cellSide * cellSide);
  let coverage = 0;
  for (let i = 0; i < alpha.length; i++) {
    coverage += alpha[i];
    if (coverage >= minCoverage) return false;
  }
  return true;
}

/** The likeliest reason an empty matte came out of `image`, in words a user can act on. */
export function emptyMatteReason(image: RgbaImage, prompted: boolean): string {
  const flat = flatColour(image);
  if (flat) return `the image is one flat colour (${flat}): there is no object in it to cut out`;
  return prompted
    ? 'the model found no object where the prompts point: draw the box around the whole object, or click on it'
    : 'the model found no subject in the image: point at one with --box or --point';
}

function flatColour(image: RgbaImage): string | null {
  const d = image.data;
  const lo = [d[0], d[1], d[2]];
  const hi = [d[0], d[1], d[2]];
  for (let i = 0; i < d.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const v = d[i + c];
      if (v < lo[c]) lo[c] = v;
      else if (v > hi[c]) hi[c] = v;
    }
    if (hi[0] - lo[0] > FLAT_TOLERANCE || hi[1] - lo[1] > FLAT_TOLERANCE || hi[2] - lo[2] > FLAT_TOLERANCE) return null;
  }
  return `rgb(${d[0]}, ${d[1]}, ${d[2]})`;
}
