// An empty matte (nothing cut out) is never handed to the user as if it were a result: the CLI
// refuses to write one unless asked, and says why it is empty when the cause can be seen.
import type { RgbaImage } from './rgba-image';

/** Below this alpha nothing reads as cut out: the matte's parts (core/matte-parts.ts) start at 0.5. */
const HALF_OPAQUE = 0.5;

/** Channel values this close count as one colour (JPEG noise on a flat backdrop). */
const FLAT_TOLERANCE = 2;

export function isEmptyMatte(alpha: Float32Array): boolean {
  for (let i = 0; i < alpha.length; i++) if (alpha[i] >= HALF_OPAQUE) return false;
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
