// Nodes that can carry an image fill and be cloned in place: rectangles, ellipses, frames, vectors...
export type ImageNode = SceneNode & MinimalFillsMixin & LayoutMixin & BlendMixin;

export function isImageCapableNode(node: SceneNode): node is ImageNode {
  return 'fills' in node && 'absoluteTransform' in node && 'isMask' in node && 'clone' in node;
}

/** A clone has the same type as its original, so it carries the same mixins; TS only knows SceneNode. */
export function cloneImageNode(node: ImageNode): ImageNode {
  return node.clone() as ImageNode;
}
