// Whether one layer near an image can be a prompt and, when it cannot, why: the panel names every
// shape the user drew or selected that is not used, so these rules are also what it explains.
import type { UnusedShapeReason } from '../../core/messages';
import type { Affine } from '../geometry/affine';
import { classifyPromptShape } from '../geometry/classify-prompt-shape';
import { getImagePaint } from '../images/get-image-paint';
import { RESULT_SOURCE_KEY } from '../write-back/result-markers';
import { isPromptShapeType, type PromptShapeNode } from './prompt-shape-node';

export type CandidateVerdict =
  | { kind: 'prompt'; shape: PromptShapeNode }
  /** A picture (another photo, an earlier matte): content, never a prompt, and not worth a word. */
  | { kind: 'content' }
  /** The caller decides: a selected group's shapes are candidates, another group is only named. */
  | { kind: 'group'; group: GroupNode }
  /** `container`: the hidden or locked layer holding the node, for the in-…-layer reasons. */
  | { kind: 'unused'; reason: UnusedShapeReason; container: string | null };

export function judgePromptCandidate(node: SceneNode): CandidateVerdict {
  if (showsPicture(node)) return { kind: 'content' };
  if (node.type === 'GROUP') return { kind: 'group', group: node };
  if (!isPromptShapeType(node)) return unused('not-a-shape');
  // Hidden shapes are the ones an earlier run used up; only what the user sees now counts.
  if (!node.visible) return unused('hidden');
  // A locked layer is finished artwork the user protected from edits (a design rectangle over a
  // photo), never a prompt to use up and hide.
  if (node.locked) return unused('locked');
  const hiddenIn = findAncestor(node, (n) => !n.visible);
  if (hiddenIn) return unused('in-hidden-layer', hiddenIn.name);
  // The typings: a node is locked if `.locked` is true for itself or any of its parents.
  const lockedIn = findAncestor(node, (n) => n.locked);
  if (lockedIn) return unused('in-locked-layer', lockedIn.name);
  if (classifyPromptShape(node.type, node.width, node.height, node.absoluteTransform as Affine) === null)
    return unused('artwork');
  return { kind: 'prompt', shape: node };
}

/** Whether a group holds anything that could be a prompt: a group of text or pictures is not worth naming. */
export function holdsPromptShape(node: SceneNode): boolean {
  if (isPromptShapeType(node)) return true;
  return node.type === 'GROUP' && node.children.some(holdsPromptShape);
}

function unused(reason: UnusedShapeReason, container: string | null = null): CandidateVerdict {
  return { kind: 'unused', reason, container };
}

function showsPicture(node: SceneNode): boolean {
  if (node.getPluginData(RESULT_SOURCE_KEY) !== '') return true;
  return 'fills' in node && getImagePaint(node.fills).kind !== 'none';
}

function findAncestor(node: SceneNode, test: (n: SceneNode) => boolean): SceneNode | null {
  for (let n = node.parent; n && n.type !== 'PAGE' && n.type !== 'DOCUMENT'; n = n.parent) {
    if (test(n)) return n;
  }
  return null;
}
