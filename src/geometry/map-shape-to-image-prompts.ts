// A prompt shape on the canvas -> prompts in source-image pixels of one image paint. Pure.
//
// Chain: shape-local --shape.absoluteTransform--> page --inverse(image.absoluteTransform)--> image
// node space --scale mode (map-node-space-to-image-pixels.ts)--> image pixels. Everything up to the
// scale mode is affine, so rotation, skew and flip of either node are handled by one matrix.
import type { Point, Prompt } from '../../core/prompt-types';
import { applyAffine, composeAffine, invertAffine, linearScaleOf, type Affine } from './affine';
import { classifyPromptShape, type PromptShapeType } from './classify-prompt-shape';
import { flattenVectorPath } from './flatten-vector-path';
import { mapNodeSpaceToImagePixels, type PaintPlacement, type Size } from './map-node-space-to-image-pixels';
import { wrapPromptIntoTile } from './wrap-prompt-into-tile';

export interface PromptShapeGeometry {
  type: PromptShapeType;
  width: number;
  height: number;
  absoluteTransform: Affine;
  /** Brush width in the shape's local units (VECTOR / LINE). */
  strokeWeight: number;
  /** VECTOR only: `vectorPaths[i].data`, in shape-local coordinates. */
  vectorPaths: readonly string[];
}

export interface ImageTarget {
  /** The image node's size and absoluteTransform. */
  node: Size & { absoluteTransform: Affine };
  /** Source pixels, from Image.getSizeAsync(). */
  image: Size;
  paint: PaintPlacement;
}

/** Prompts in image pixels, not yet clipped to the image (see clip-prompt-to-image.ts). */
export function mapShapeToImagePrompts(shape: PromptShapeGeometry, target: ImageTarget): Prompt[] {
  const mapping = mapNodeSpaceToImagePixels(target.node, target.image, target.paint);
  const localToImage = composeAffine(
    shape.absoluteTransform,
    invertAffine(target.node.absoluteTransform),
    mapping.affine,
  );
  const toImage = (p: Point) => applyAffine(localToImage, p);

  const prompts = shapePrompts(shape, localToImage, toImage);
  return mapping.tile ? prompts.map((p) => wrapPromptIntoTile(p, mapping.tile!)) : prompts;
}

function shapePrompts(shape: PromptShapeGeometry, localToImage: Affine, toImage: (p: Point) => Point): Prompt[] {
  const { width, height } = shape;
  switch (classifyPromptShape(shape.type, width, height, shape.absoluteTransform)) {
    case 'point': {
      const c = toImage({ x: width / 2, y: height / 2 });
      return [{ kind: 'point', x: c.x, y: c.y }];
    }
    case 'box': {
      // Under rotation the box's corners no longer line up with the image axes: take their bounds.
      const corners = [
        { x: 0, y: 0 },
        { x: width, y: 0 },
        { x: width, y: height },
        { x: 0, y: height },
      ].map(toImage);
      const xs = corners.map((p) => p.x);
      const ys = corners.map((p) => p.y);
      const x = Math.min(...xs);
      const y = Math.min(...ys);
      return [{ kind: 'box', x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y }];
    }
    case null:
      return [];
    case 'scribble': {
      const brush = shape.strokeWeight * linearScaleOf(localToImage);
      const lines =
        shape.type === 'LINE'
          ? // A LINE node runs along its local x axis from 0 to width.
            [
              [
                { x: 0, y: 0 },
                { x: width, y: 0 },
              ],
            ]
          : shape.vectorPaths.flatMap((data) => flattenVectorPath(data));
      return lines
        .filter((line) => line.length > 0)
        .map((line) => ({ kind: 'scribble', points: line.map(toImage), width: brush }));
    }
  }
}
