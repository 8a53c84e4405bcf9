// The words for shapes that are not prompts: each one in the panel's list, and all of them in the
// refusal when none over an image can be used (a lock must never pass for "no shapes").
import type { UnusedLayer, UnusedShapeReason } from '../../core/messages';
import { POINT_SHAPE_MAX_SIDE } from '../geometry/classify-prompt-shape';
import type { UnusedShape } from './unused-shape';

/** Past this many, the refusal counts the rest instead of naming them. */
const MAX_NAMED = 4;

export function whyUnused(reason: UnusedShapeReason, container: string | null): string {
  switch (reason) {
    case 'outside-image':
      return 'lies outside the picture';
    case 'hidden':
      return 'is hidden (show it to use it)';
    case 'in-hidden-layer':
      return `is inside the hidden "${container}" (show it to use this shape)`;
    case 'locked':
      return 'is locked (unlock it to use it)';
    case 'in-locked-layer':
      return `is inside the locked "${container}" (unlock it to use this shape)`;
    case 'group':
      return 'is a group (select it with the image to use its shapes)';
    case 'not-a-shape':
      return 'is not a rectangle, ellipse, line or pencil stroke';
    case 'artwork':
      return `is a polygon or star over ${POINT_SHAPE_MAX_SIDE} px: artwork, not a prompt`;
    case 'unreadable':
      return 'has a shape SMat cannot read';
    case 'negative-not-a-dot':
      return 'is named as "not this", but only a dot can say what to leave out (draw a small dot there)';
  }
}

export function toUnusedLayer({ node, reason, container }: UnusedShape): UnusedLayer {
  return { id: node.id, name: node.name, reason, why: whyUnused(reason, container) };
}

export function noUsablePromptShape(imageName: string, unused: ReadonlyArray<UnusedLayer>): string {
  const named = unused.slice(0, MAX_NAMED).map((layer) => `"${layer.name}" ${layer.why}`);
  if (unused.length > MAX_NAMED) named.push(`${unused.length - MAX_NAMED} more cannot be used either`);
  return (
    `No prompt shape over "${imageName}" can be used: ${named.join('; ')}. ` +
    'Draw a rectangle, a dot or a stroke on it, or use Auto Matte.'
  );
}
