// Prompt shapes -> prompts in one image's pixels, remembering which shapes produced a prompt so
// only those are hidden after Apply.
import type { Prompt } from '../../core/prompt-types';
import type { Affine } from '../geometry/affine';
import { clipPromptToImage } from '../geometry/clip-prompt-to-image';
import { mapShapeToImagePrompts, type ImageTarget } from '../geometry/map-shape-to-image-prompts';
import type { ImageSource } from '../images/read-image-source';
import { readPromptShapeGeometry, type PromptShapeNode } from './prompt-shape-node';

export interface CollectedPrompts {
  prompts: Prompt[];
  usedShapes: PromptShapeNode[];
}

export function collectImagePrompts(source: ImageSource, shapes: ReadonlyArray<PromptShapeNode>): CollectedPrompts {
  const target: ImageTarget = {
    node: { width: source.node.width, height: source.node.height, absoluteTransform: source.node.absoluteTransform as Affine },
    image: { width: source.width, height: source.height },
    paint: source.paint,
  };
  const prompts: Prompt[] = [];
  const usedShapes: PromptShapeNode[] = [];
  for (const shape of shapes) {
    let mapped: Prompt[];
    try {
      mapped = mapShapeToImagePrompts(readPromptShapeGeometry(shape), target);
    } catch {
      // A degenerate transform or an unparsable path: this shape cannot be a prompt, the rest still can.
      continue;
    }
    const kept = mapped.map((p) => clipPromptToImage(p, target.image)).filter((p): p is Prompt => p !== null);
    if (kept.length > 0) {
      prompts.push(...kept);
      usedShapes.push(shape);
    }
  }
  return { prompts, usedShapes };
}
