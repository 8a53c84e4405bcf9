// Results belong right above their source (see find-result-place.ts for sources inside instances),
// so they sit in the same frame, group and stacking position the user knows, exactly over the source.
import type { Affine } from '../geometry/affine';
import { applyAffine, invertAffine, multiplyAffine } from '../geometry/affine';
import type { ResultPlace } from './find-result-place';

/** Inserts `node` `offset` places above `place.above` and puts it where `source` is on the page. */
export function insertAboveSource(
  node: SceneNode & LayoutMixin,
  source: SceneNode & LayoutMixin,
  place: ResultPlace,
  offset = 1,
): void {
  const { parent, above } = place;
  parent.insertChild(parent.children.indexOf(above) + offset, node);
  // In an auto-layout frame the result would take a slot and push the siblings around; absolute
  // positioning keeps it exactly over the source instead (and must be set before the transform).
  if (isAutoLayout(parent)) node.layoutPositioning = 'ABSOLUTE';
  node.relativeTransform =
    parent === source.parent
      ? source.relativeTransform
      : (multiplyAffine(invertAffine(parentTransform(parent)), source.absoluteTransform as Affine) as Transform);
}

function parentTransform(parent: BaseNode): Affine {
  return 'absoluteTransform' in parent
    ? (parent.absoluteTransform as Affine)
    : [
        [1, 0, 0],
        [0, 1, 0],
      ];
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
