// Image paint rotation (FILL / FIT / TILE) is a multiple of 90°. Figma first rotates the image,
// then places the rotated image with the scale mode. To go back from node space we place into the
// rotated image, then undo the rotation with the affine below.
//
// Convention: positive rotation = clockwise on screen (y down), the same sense as a positive angle
// in Figma's y-down page coordinates. Figma's docs only say "increments of +90" and do not give the
// sense; this has NOT been checked in the editor. If it proves wrong, negate the angle in
// `quarterTurnsOf` only (tests pin the current choice).
import type { Affine } from './affine';

/** 0..3 clockwise quarter turns. Non-multiples of 90 are rounded (Figma only stores multiples). */
export function quarterTurnsOf(rotationDegrees: number | undefined): 0 | 1 | 2 | 3 {
  const turns = Math.round((rotationDegrees ?? 0) / 90);
  return (((turns % 4) + 4) % 4) as 0 | 1 | 2 | 3;
}

/** Size of the image after `turns` clockwise quarter turns. */
export function rotatedSize(width: number, height: number, turns: number): { width: number; height: number } {
  return turns % 2 === 1 ? { width: height, height: width } : { width, height };
}

/**
 * Maps pixels of the rotated image (size `rotatedSize(width, height, turns)`) back to pixels of the
 * original `width` x `height` image.
 */
export function unrotateImagePixels(width: number, height: number, turns: 0 | 1 | 2 | 3): Affine {
  switch (turns) {
    case 0:
      return [
        [1, 0, 0],
        [0, 1, 0],
      ];
    case 1: // forward: (x, y) -> (H - y, x); back: (u, v) -> (v, H - u)
      return [
        [0, 1, 0],
        [-1, 0, height],
      ];
    case 2: // forward and back: (x, y) -> (W - x, H - y)
      return [
        [-1, 0, width],
        [0, -1, height],
      ];
    case 3: // forward: (x, y) -> (y, W - x); back: (u, v) -> (W - v, u)
      return [
        [0, -1, width],
        [1, 0, 0],
      ];
  }
}
