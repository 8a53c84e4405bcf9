// Checks on a matte PNG the sandbox received: agreement with a reference alpha, and straight
// (not premultiplied) alpha.
import { applyAlphaAsCutout } from '../../core/composite';
import { binaryIou } from '../../core/metrics';
import type { RgbaImage } from '../../core/rgba-image';

/** One channel of an 8-bit RGBA image as values in [0,1]. */
export function channelPlane(image: RgbaImage, channel: number): Float32Array {
  const plane = new Float32Array(image.width * image.height);
  for (let i = 0; i < plane.length; i++) plane[i] = image.data[4 * i + channel] / 255;
  return plane;
}

/** IoU of (result alpha > 0.5) against (reference alpha > 0.5); reference in [0,1]. */
export function iouAgainstAlpha(result: RgbaImage, reference: Float32Array): number {
  return binaryIou(channelPlane(result, 3), reference);
}

/**
 * Straight alpha: the PNG's colour must be what the cut-out step makes from the photo and the
 * PNG's own alpha - the photo's colour, or with colour decontamination the estimated foreground -
 * and not that colour multiplied by alpha (premultiplied: darkened soft pixels, black clear ones),
 * which is what a canvas round trip would leave. Counts pixels off by more than `tolerance`.
 */
export function straightAlphaReport(result: RgbaImage, source: RgbaImage, decontaminate: boolean, tolerance = 2) {
  const alpha = new Float32Array(result.width * result.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = result.data[4 * i + 3] / 255;
  const expected = applyAlphaAsCutout(source, alpha, { decontaminate });
  let soft = 0,
    clear = 0,
    changed = 0;
  for (let i = 0; i < alpha.length; i++) {
    const a = result.data[4 * i + 3];
    if (a === 255) continue;
    if (a === 0) clear++;
    else soft++;
    const d = Math.max(
      Math.abs(result.data[4 * i] - expected.data[4 * i]),
      Math.abs(result.data[4 * i + 1] - expected.data[4 * i + 1]),
      Math.abs(result.data[4 * i + 2] - expected.data[4 * i + 2]),
      Math.abs(a - expected.data[4 * i + 3]),
    );
    if (d > tolerance) changed++;
  }
  return { soft, clear, changed };
}
