// Turning an alpha plane into the two outputs the plugin writes back.
import type { RgbaImage } from './rgba-image';
import { estimateForegroundByOwnAlpha, type EstimateForegroundOptions } from './estimate-foreground';
import { alphaToByte } from './alpha-to-byte';

export interface CutoutOptions {
  /**
   * Replace the photo's colour at soft pixels (0 < alpha < 1) with the subject's own colour
   * (core/estimate-foreground.ts), so no fringe of the old background rides along, and give
   * fully transparent pixels transparent black instead of the old background. Off: the photo's
   * colour is kept exactly, as before.
   */
  decontaminate?: boolean;
  /** How the colours are estimated (e.g. a smaller work size for a preview). */
  foreground?: EstimateForegroundOptions;
}

/**
 * Cut-out: straight alpha, alpha = matte times the source's own alpha so pixels that were already
 * transparent stay transparent. Colour: the photo's, or with `decontaminate` the foreground's.
 */
export function applyAlphaAsCutout(image: RgbaImage, alpha: Float32Array, options: CutoutOptions = {}): RgbaImage {
  const { width, height, data } = image;
  if (alpha.length !== width * height)
    throw new Error(`applyAlphaAsCutout: alpha has ${alpha.length} values for a ${width}x${height} image`);
  const out = new Uint8Array(data);
  for (let i = 0; i < alpha.length; i++) {
    const a = alphaToByte(alpha[i]);
    const src = data[4 * i + 3];
    out[4 * i + 3] = src === 255 ? a : Math.round((a * src) / 255);
  }
  if (!options.decontaminate) return { width, height, data: out };
  // The estimator sees the alpha that will be written (8-bit, source alpha included), so "soft"
  // means exactly the pixels that come out soft.
  estimateForegroundByOwnAlpha({ width, height, data: out }, options.foreground);
  for (let i = 0; i < alpha.length; i++) {
    // Transparent black: what any premultiplied pipeline would store, and it compresses to nothing.
    if (out[4 * i + 3] === 0) out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = 0;
  }
  return { width, height, data: out };
}

/** Opaque grey image (white = foreground), the form Figma's luminance masks take. */
export function alphaAsLuminanceMask(alpha: Float32Array, width: number, height: number): RgbaImage {
  if (alpha.length !== width * height)
    throw new Error(`alphaAsLuminanceMask: alpha has ${alpha.length} values for ${width}x${height}`);
  const out = new Uint8Array(width * height * 4);
  for (let i = 0; i < alpha.length; i++) {
    const v = alphaToByte(alpha[i]);
    out[4 * i] = v;
    out[4 * i + 1] = v;
    out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return { width, height, data: out };
}
