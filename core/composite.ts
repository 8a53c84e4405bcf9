// Turning an alpha plane into the two outputs the plugin writes back.
import type { RgbaImage } from './rgba-image';

function toByte(a: number): number {
  // NaN (a broken model output) becomes transparent rather than opaque.
  return a > 0 ? (a < 1 ? Math.round(a * 255) : 255) : 0;
}

/**
 * Cut-out: colour kept exactly (straight alpha, so soft edges keep their true colour), alpha =
 * matte times the source's own alpha so pixels that were already transparent stay transparent.
 */
export function applyAlphaAsCutout(image: RgbaImage, alpha: Float32Array): RgbaImage {
  const { width, height, data } = image;
  if (alpha.length !== width * height) throw new Error(`applyAlphaAsCutout: alpha has ${alpha.length} values for a ${width}x${height} image`);
  const out = new Uint8Array(data);
  for (let i = 0; i < alpha.length; i++) {
    const a = toByte(alpha[i]);
    const src = data[4 * i + 3];
    out[4 * i + 3] = src === 255 ? a : Math.round((a * src) / 255);
  }
  return { width, height, data: out };
}

/** Opaque grey image (white = foreground), the form Figma's luminance masks take. */
export function alphaAsLuminanceMask(alpha: Float32Array, width: number, height: number): RgbaImage {
  if (alpha.length !== width * height) throw new Error(`alphaAsLuminanceMask: alpha has ${alpha.length} values for ${width}x${height}`);
  const out = new Uint8Array(width * height * 4);
  for (let i = 0; i < alpha.length; i++) {
    const v = toByte(alpha[i]);
    out[4 * i] = v;
    out[4 * i + 1] = v;
    out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return { width, height, data: out };
}
