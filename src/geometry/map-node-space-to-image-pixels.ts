// Node space (the image node's own coordinates: origin top-left, 0..width x 0..height, before its
// transform) -> source image pixels, for each scale mode of an IMAGE paint. Pure: no figma.*.
import { composeAffine, scaleAffine, translateAffine, type Affine } from './affine';
import { quarterTurnsOf, rotatedSize, unrotateImagePixels } from './rotate-quarter-turns';

/** The fields of an ImagePaint that decide where its pixels land. */
export type PaintPlacement = Pick<ImagePaint, 'scaleMode' | 'imageTransform' | 'scalingFactor' | 'rotation'>;

export interface Size {
  width: number;
  height: number;
}

export interface NodeToImageMapping {
  /** Node space -> image pixels. For TILE this lands in an unbounded plane of repeated tiles. */
  affine: Affine;
  /** TILE only: the image repeats every `width` x `height` image pixels; see wrap-prompt-into-tile.ts. */
  tile: Size | null;
}

export function mapNodeSpaceToImagePixels(node: Size, image: Size, paint: PaintPlacement): NodeToImageMapping {
  if (!(node.width > 0 && node.height > 0)) throw new Error('The image layer has no area');
  if (!(image.width > 0 && image.height > 0)) throw new Error('The image has no pixels');
  switch (paint.scaleMode) {
    case 'FILL':
      return { affine: placeCentred(node, image, paint.rotation, Math.max), tile: null };
    case 'FIT':
      return { affine: placeCentred(node, image, paint.rotation, Math.min), tile: null };
    case 'CROP':
      return { affine: placeCropped(node, image, paint.imageTransform), tile: null };
    case 'TILE':
      return { affine: placeTiled(image, paint.rotation, paint.scalingFactor), tile: { ...image } };
  }
}

/**
 * FILL (cover: `Math.max`) and FIT (contain: `Math.min`): the rotated image is scaled uniformly and
 * centred in the node.
 */
function placeCentred(
  node: Size,
  image: Size,
  rotation: number | undefined,
  pick: (a: number, b: number) => number,
): Affine {
  const turns = quarterTurnsOf(rotation);
  const shown = rotatedSize(image.width, image.height, turns);
  const scale = pick(node.width / shown.width, node.height / shown.height);
  const offsetX = (node.width - shown.width * scale) / 2;
  const offsetY = (node.height - shown.height * scale) / 2;
  return composeAffine(
    translateAffine(-offsetX, -offsetY),
    scaleAffine(1 / scale),
    unrotateImagePixels(image.width, image.height, turns),
  );
}

/**
 * CROP: `imageTransform` maps node-normalised space (0..1 across the node's width and height) to
 * image-normalised space (0..1 across the source image). Example: [[0.5, 0, 0.5], [0, 1, 0]] shows
 * the right half of the image stretched over the whole node. This is the direction Figma's editor
 * writes when you crop (the visible window is a sub-rectangle of the image, so the diagonal is <= 1),
 * and the one crop-reading helpers rely on (they take node width / t[0][0] as the uncropped width).
 * The paint's `rotation` is ignored here: for CROP it is folded into `imageTransform`.
 */
function placeCropped(node: Size, image: Size, imageTransform: Transform | undefined): Affine {
  const t: Affine = imageTransform ?? [
    [1, 0, 0],
    [0, 1, 0],
  ];
  return composeAffine(scaleAffine(1 / node.width, 1 / node.height), t, scaleAffine(image.width, image.height));
}

/**
 * TILE: tiles of the rotated image, each `scalingFactor` canvas units per image pixel, repeat from
 * the node's top-left corner.
 */
function placeTiled(image: Size, rotation: number | undefined, scalingFactor: number | undefined): Affine {
  const turns = quarterTurnsOf(rotation);
  const factor = scalingFactor !== undefined && scalingFactor > 0 ? scalingFactor : 1;
  return composeAffine(scaleAffine(1 / factor), unrotateImagePixels(image.width, image.height, turns));
}
