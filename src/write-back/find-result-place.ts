// Where a result goes: right above its source, in the source's parent. An instance takes its layers
// from its main component, so Figma refuses new children anywhere inside one (insertChild and
// figma.group throw there). For a source inside an instance the result goes right above the
// outermost instance that holds it, in that instance's parent; insert-result.ts keeps it at the
// source's place on the page.
export interface ResultPlace {
  parent: BaseNode & ChildrenMixin;
  /** The result is inserted right above this child of `parent` (the source, or the instance holding it). */
  above: SceneNode;
}

/** `null`: the source is no longer on a page. */
export function findResultPlace(source: SceneNode): ResultPlace | null {
  let above: SceneNode = source;
  for (let node = source.parent; node && node.type !== 'PAGE' && node.type !== 'DOCUMENT'; node = node.parent) {
    if (node.type === 'INSTANCE') above = node;
  }
  const parent = above.parent;
  if (!parent || !('children' in parent) || parent.type === 'DOCUMENT') return null;
  return { parent, above };
}
