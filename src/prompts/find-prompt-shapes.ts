// Candidate prompt shapes for one image: shapes drawn above it in the same parent that overlap its
// bounds on the page, plus every shape selected together with it, or inside a selected group. A
// candidate that cannot be a prompt is returned with the reason, so the panel can name it; the
// exact test (is the shape over the picture itself, under crop/fit/rotation) comes later in
// collect-image-prompts.ts.
import type { ImageNode } from '../images/image-node';
import { holdsPromptShape, judgePromptCandidate } from './judge-prompt-candidate';
import type { PromptShapeNode } from './prompt-shape-node';
import type { UnusedShape } from './unused-shape';

export interface FoundPromptShapes {
  shapes: PromptShapeNode[];
  unused: UnusedShape[];
}

/** How a node came to be looked at: it decides what must overlap and what is worth naming. */
type Origin = 'above' | 'selected' | 'in-selected-group';

export function findPromptShapes(image: ImageNode, selection: ReadonlyArray<SceneNode>): FoundPromptShapes {
  const bounds = image.absoluteBoundingBox;
  const selected = new Set(selection.map((node) => node.id));
  const seen = new Set<string>();
  const shapes: PromptShapeNode[] = [];
  const unused: UnusedShape[] = [];

  const consider = (node: SceneNode, foundAs: Origin) => {
    if (node.id === image.id || seen.has(node.id)) return;
    const origin = foundAs === 'above' && selected.has(node.id) ? 'selected' : foundAs;
    const verdict = judgePromptCandidate(node);
    if (verdict.kind === 'content') return;
    // Text or a frame above the photo is the design, and one inside a group the user picked for
    // its shapes too; only one the user selected by itself is worth a word.
    if (verdict.kind === 'unused' && verdict.reason === 'not-a-shape' && origin !== 'selected') return;
    if (origin === 'above') {
      const box = node.absoluteBoundingBox;
      if (!bounds || !box || !rectsOverlap(bounds, box)) return;
    }
    seen.add(node.id);
    if (verdict.kind === 'prompt') shapes.push(verdict.shape);
    else if (verdict.kind === 'unused') unused.push({ node, reason: verdict.reason, container: verdict.container });
    else if (origin !== 'above') {
      // The user pointed at the group: its shapes are what they meant (see README, prompt shapes).
      for (const child of verdict.group.children) consider(child, 'in-selected-group');
    } else if (holdsPromptShape(node)) {
      // A group over a photo is more often artwork than prompts: named, never used up and hidden.
      unused.push({ node, reason: 'group', container: null });
    }
  };

  const parent = image.parent;
  if (parent && 'children' in parent) {
    const siblings = parent.children;
    const index = siblings.indexOf(image);
    for (let i = index + 1; i < siblings.length; i++) consider(siblings[i], 'above');
  }
  for (const node of selection) consider(node, 'selected');
  return { shapes, unused };
}

/** Touching counts: a line lying exactly on the image's edge has a zero-height box. */
function rectsOverlap(a: Rect, b: Rect): boolean {
  return a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height;
}
