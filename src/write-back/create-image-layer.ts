// A new layer shaped and sized like the source that shows one image paint and nothing else: no
// children, strokes, effects, layer opacity or blend mode. Not yet in the document's tree.
import type { SandboxApi } from '../figma-api';
import { cloneImageNode, type ImageNode } from '../images/image-node';

/**
 * Nodes whose children are content (text, buttons, prompt shapes drawn inside a frame). Their clone
 * would carry copies of those children; a component's clone is a new main component, and an
 * instance's clone keeps its children for good. A rectangle of the same size and corners shows the
 * fill exactly as the frame does.
 */
const HOLDS_CONTENT: ReadonlySet<NodeType> = new Set<NodeType>(['FRAME', 'COMPONENT', 'COMPONENT_SET', 'INSTANCE']);

export function createImageLayer(api: SandboxApi, source: ImageNode, paint: ImagePaint): ImageNode {
  const layer = HOLDS_CONTENT.has(source.type) ? rectangleLike(api, source) : cloneImageNode(source);
  layer.fills = [paint];
  // A stroke outlines the layer's box, not the subject; effects (shadows, blurs) and a blend mode
  // or opacity other than normal would change how the cut-out's edge and colours look over the original.
  if ('strokes' in layer) layer.strokes = [];
  layer.effects = [];
  layer.opacity = 1;
  layer.blendMode = 'PASS_THROUGH';
  layer.isMask = false;
  return layer;
}

function rectangleLike(api: SandboxApi, source: ImageNode): ImageNode {
  const rect = api.createRectangle();
  rect.resize(source.width, source.height);
  const corners = source as Partial<RectangleCornerMixin & CornerMixin>;
  if (typeof corners.cornerSmoothing === 'number') rect.cornerSmoothing = corners.cornerSmoothing;
  if (typeof corners.topLeftRadius === 'number') rect.topLeftRadius = corners.topLeftRadius;
  if (typeof corners.topRightRadius === 'number') rect.topRightRadius = corners.topRightRadius;
  if (typeof corners.bottomLeftRadius === 'number') rect.bottomLeftRadius = corners.bottomLeftRadius;
  if (typeof corners.bottomRightRadius === 'number') rect.bottomRightRadius = corners.bottomRightRadius;
  return rect;
}
