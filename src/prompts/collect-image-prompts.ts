// Prompt shapes -> prompts in one image's pixels, grouped by the shape that produced them: the
// panel lists these layers, and only those it still showed at Apply are hidden. A shape that gives
// no prompt for this picture is returned with the reason instead of being dropped. A click shape
// may be a "not this" click (is-negative-click-shape.ts); its prompts then carry `negative`.
import type { Prompt } from '../../core/prompt-types';
import type { Affine } from '../geometry/affine';
import { clipPromptToImage } from '../geometry/clip-prompt-to-image';
import { mapShapeToImagePrompts, type ImageTarget } from '../geometry/map-shape-to-image-prompts';
import type { ImageSource } from '../images/read-image-source';
import { readPromptShapeGeometry, type PromptShapeNode } from './prompt-shape-node';
import { clickSignOfName } from './click-sign-of-name';
import { isNegativeClickShape } from './is-negative-click-shape';
import type { UnusedShape } from './unused-shape';

export interface PromptLayerOfShape {
  shape: PromptShapeNode;
  /** Clipped to the image; never empty. */
  prompts: Prompt[];
}

export interface CollectedPrompts {
  prompts: Prompt[];
  usedShapes: PromptShapeNode[];
  layers: PromptLayerOfShape[];
  /** Shapes that missed the picture or could not be read. */
  unused: UnusedShape[];
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
  const unused: UnusedShape[] = [];
  for (const shape of shapes) {
    let mapped: Prompt[];
    try {
      mapped = mapShapeToImagePrompts(readPromptShapeGeometry(shape), target);
    } catch {
      // A degenerate transform or an unparsable path: this shape cannot be a prompt, the rest still can.
      mapped = [];
    }
    if (mapped.length === 0) {
      unused.push({ node: shape, reason: 'unreadable', container: null });
      continue;
    }
    const isClick = mapped.every((p) => p.kind === 'point');
    // SAM takes "not this" as clicks only: a box or stroke named so would otherwise keep the very
    // thing the user asked to leave out.
    if (!isClick && clickSignOfName(shape.name) === 'not-this') {
      unused.push({ node: shape, reason: 'negative-not-a-dot', container: null });
      continue;
    }
    if (isClick && isNegativeClickShape(shape)) mapped = mapped.map((p) => ({ ...p, negative: true }));
    const kept = mapped.map((p) => clipPromptToImage(p, target.image)).filter((p): p is Prompt => p !== null);
    if (kept.length > 0) layers.push({ shape, prompts: kept });
    else unused.push({ node: shape, reason: 'outside-image', container: null });
  }
  return { prompts: layers.flatMap((l) => l.prompts), usedShapes: layers.map((l) => l.shape), layers, unused };
}
