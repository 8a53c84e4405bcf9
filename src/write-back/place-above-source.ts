// node.clone() lands on the page; results belong right above their source in the same parent, so
// they sit in the same frame, group and stacking position the user knows.
import type { Affine } from '../geometry/affine';
import { applyAffine, invertAffine } from '../geometry/affine';

export function insertAboveSource(node: SceneNode, source: SceneNode, offset = 1): void {
  const parent = source.parent;
  if (!parent) throw new Error('The image is not on a page any more.');
  parent.insertChild(parent.children.indexOf(source) + offset, node);
  if (isAutoLayout(parent) && 'layoutPositioning' in node && 'relativeTransform' in source) {
    // In an auto-layout frame the result would take a slot and push the siblings around; absolute
    // positioning keeps it exactly over the source instead.
    node.layoutPositioning = 'ABSOLUTE';
    node.relativeTransform = source.relativeTransform;
  }
}

export function isAutoLayout(parent: BaseNode): boolean {
  return 'layoutMode' in parent && parent.layoutMode !== 'NONE';
}

/**
 * Moves `container` (in the parent's space) so that `inner`, one of its descendants, lands where
 * `target` is on the page. Used for the mask group, whose own position is its children's bounds.
 */
export function alignByDescendant(container: SceneNode & LayoutMixin, inner: LayoutMixin, target: LayoutMixin): void {
  const parent = container.parent;
  const dxPage = target.absoluteTransform[0][2] - inner.absoluteTransform[0][2];
  const dyPage = target.absoluteTransform[1][2] - inner.absoluteTransform[1][2];
  if (Math.abs(dxPage) < 1e-9 && Math.abs(dyPage) < 1e-9) return;
  // Page-space shift -> parent-space shift (the parent may itself be rotated or scaled).
  let dx = dxPage;
  let dy = dyPage;
  if (parent && 'absoluteTransform' in parent) {
    const m = parent.absoluteTransform as Affine;
    const linear: Affine = [
      [m[0][0], m[0][1], 0],
      [m[1][0], m[1][1], 0],
    ];
    ({ x: dx, y: dy } = applyAffine(invertAffine(linear), { x: dxPage, y: dyPage }));
  }
  container.x += dx;
  container.y += dy;
}
