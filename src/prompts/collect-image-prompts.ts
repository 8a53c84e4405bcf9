// Prompt shapes -> prompts in one image's pixels, grouped by the shape that produced them: the
// panel lists these layers, and only those it still showed at Apply are hidden.
import type { Prompt } from '../../core/prompt-types';
import type { Affine } from '../geometry/affine';
import { clipPromptToImage } from '../geometry/clip-prompt-to-image';
import { mapShapeToImagePrompts, type ImageTarget } from '../geometry/map-shape-to-image-prompts';
import type { ImageSource } from '../images/read-image-source';
import { readPromptShapeGeometry, type PromptShapeNode } from './prompt-shape-node';

export interface PromptLayerOfShape {
  shape: PromptShapeNode;
  /** Clipped to the image; never empty. */
  prompts: Prompt[];
}

export interface CollectedPrompts {
  prompts: Prompt[];
  usedShapes: PromptShapeNode[];
  layers: PromptLayerOfShape[];
}

export function collectImagePrompts(source: ImageSource, shapes: ReadonlyArray<PromptShapeNode>): CollectedPrompts {
  const target: ImageTarget = {
    node: {
      width: source.node.width,
      height: source.node.height,
      absoluteTransform: source.node.absoluteTransform as Affine,
    },
    image: { width: source.width, height: source.height },
    paint: source.paint,
  };
  const layers: PromptLayerOfShape[] = [];
  for (const shape of shapes) {
    let mapped: Prompt[];
    try {
      mapped = mapShapeToImagePrompts(readPromptShapeGeometry(shape), target);
    } catch {
      // A degenerate transform or an unparsable path: this shape cannot be a prompt, the rest still can.
      continue;
    }
    const kept = mapped.map((p) => clipPromptToImage(p, target.image)).filter((p): p is Prompt => p !== null);
    if (kept.length > 0) layers.push({ shape, prompts: kept });
  }
  return { prompts: layers.flatMap((l) => l.prompts), usedShapes: layers.map((l) => l.shape), layers };
}
