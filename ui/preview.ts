// Display-only helpers: small copies of images for the panel. The PNG that is applied is built at
// full resolution by core/composite + core/image-codecs; nothing here reaches the output.
import type { RgbaImage } from '../core/rgba-image';
import { resamplePlanes } from '../core/resample';
import { alphaAsLuminanceMask, applyAlphaAsCutout } from '../core/composite';

/** Size that fits `maxSide` keeping the aspect ratio (never enlarges). */
export function fitSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/**
 * Area-averaged downscale for display. Colours are averaged premultiplied so transparent pixels
 * do not bleed their (hidden) colour into the visible edge.
 */
export function downscaleForDisplay(image: RgbaImage, maxSide: number): RgbaImage {
  const { width: dw, height: dh } = fitSize(image.width, image.height, maxSide);
  if (dw === image.width && dh === image.height) return image;
  const n = image.width * image.height;
  const planes = new Float32Array(n * 4);
  const d = image.data;
  for (let i = 0; i < n; i++) {
    const a = d[4 * i + 3] / 255;
    planes[4 * i] = d[4 * i] * a;
    planes[4 * i + 1] = d[4 * i + 1] * a;
    planes[4 * i + 2] = d[4 * i + 2] * a;
    planes[4 * i + 3] = a;
  }
  const small = resamplePlanes(planes, image.width, image.height, dw, dh, 4);
  const out = new Uint8Array(dw * dh * 4);
  for (let i = 0; i < dw * dh; i++) {
    const a = small[4 * i + 3];
    const inv = a > 1e-6 ? 1 / a : 0;
    out[4 * i] = clamp255(small[4 * i] * inv);
    out[4 * i + 1] = clamp255(small[4 * i + 1] * inv);
    out[4 * i + 2] = clamp255(small[4 * i + 2] * inv);
    out[4 * i + 3] = clamp255(a * 255);
  }
  return { width: dw, height: dh, data: out };
}

function clamp255(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/**
 * The panel's pictures of a matte at the size of `shown` (the photo as drawn): the cut-out, its edge
 * colours solved at `foregroundSide` at most, and the mask.
 */
export function mattePreviews(
  shown: RgbaImage,
  source: RgbaImage,
  alpha: Float32Array,
  decontaminate: boolean,
  foregroundSide: number,
): { cutout: RgbaImage; mask: RgbaImage } {
  const shownAlpha =
    shown.width === source.width && shown.height === source.height
      ? alpha
      : resamplePlanes(alpha, source.width, source.height, shown.width, shown.height, 1);
  return {
    cutout: applyAlphaAsCutout(shown, shownAlpha, { decontaminate, foreground: { maxWorkSide: foregroundSide } }),
    mask: alphaAsLuminanceMask(shownAlpha, shown.width, shown.height),
  };
}

/** Paints an RgbaImage into a canvas (display only: canvases premultiply, which is fine on screen). */
export function paintCanvas(canvas: HTMLCanvasElement, image: RgbaImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const pixels = new Uint8ClampedArray(image.data.buffer as ArrayBuffer, image.data.byteOffset, image.data.length);
  const data = new ImageData(pixels, image.width, image.height);
  ctx.putImageData(data, 0, 0);
}

/**
 * Decodes with the browser (createImageBitmap runs off the main thread) straight to display size.
 * Display only: colour management is off so it matches what the model sees, but the exact bytes
 * that reach the model and the output always come from core's decoder.
 */
export async function browserDecodeForDisplay(bytes: Uint8Array, maxSide: number): Promise<RgbaImage | null> {
  if (typeof createImageBitmap !== 'function' || typeof document === 'undefined') return null;
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart]), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  try {
    const { width, height } = fitSize(bitmap.width, bitmap.height, maxSide);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) return null;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    const data = ctx.getImageData(0, 0, width, height).data;
    return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } finally {
    bitmap.close();
  }
}
