// Candidate prompt shapes for one image: shapes drawn above it in the same parent that overlap its
// bounds on the page, plus every shape selected together with it (the user pointed at those, so
// one that misses the picture is reported rather than silently ignored). The exact test (is the
// shape over the picture itself, under crop/fit/rotation) comes later in clip-prompt-to-image.ts.
import type { ImageNode } from '../images/image-node';
import { isPromptShapeNode, type PromptShapeNode } from './prompt-shape-node';

export function findPromptShapes(image: ImageNode, selection: ReadonlyArray<SceneNode>): PromptShapeNode[] {
  const bounds = image.absoluteBoundingBox;
  const found = new Map<string, PromptShapeNode>();
  const consider = (node: SceneNode, mustOverlap: boolean) => {
    if (node.id === image.id || found.has(node.id) || !isPromptShapeNode(node)) return;
    const box = node.absoluteBoundingBox;
    if (!mustOverlap || (bounds && box && rectsOverlap(bounds, box))) found.set(node.id, node);
  };

  const parent = image.parent;
  if (parent && 'children' in parent) {
    const siblings = parent.children;
    const index = siblings.indexOf(image);
    for (let i = index + 1; i < siblings.length; i++) consider(siblings[i], true);
  }
  for (const node of selection) consider(node, false);
  return [...found.values()];
}

/** Touching counts: a line lying exactly on the image's edge has a zero-height box. */
function rectsOverlap(a: Rect, b: Rect): boolean {
  return a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height;
}
