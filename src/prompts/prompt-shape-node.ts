// Which canvas nodes can be prompts, and how to read their geometry off the node.
import type { Affine } from '../geometry/affine';
import { classifyPromptShape } from '../geometry/classify-prompt-shape';
import type { PromptShapeGeometry } from '../geometry/map-shape-to-image-prompts';
import { getImagePaint } from '../images/get-image-paint';
import { RESULT_SOURCE_KEY } from '../write-back/result-markers';

export type PromptShapeNode = RectangleNode | EllipseNode | VectorNode | LineNode | PolygonNode | StarNode;

const PROMPT_TYPES: ReadonlySet<string> = new Set(['RECTANGLE', 'ELLIPSE', 'VECTOR', 'LINE', 'POLYGON', 'STAR']);

export function isPromptShapeNode(node: SceneNode): node is PromptShapeNode {
  if (!PROMPT_TYPES.has(node.type)) return false;
  const shape = node as PromptShapeNode;
  return (
    isUsablePromptShape(shape) &&
    classifyPromptShape(shape.type, shape.width, shape.height, shape.absoluteTransform as Affine) !== null
  );
}

function isUsablePromptShape(node: PromptShapeNode): boolean {
  // Hidden shapes are the ones an earlier run used up; only what the user sees now counts.
  if (!node.visible) return false;
  // A locked layer is finished artwork the user protected from edits (a design rectangle over a
  // photo), never a prompt to use up and hide.
  if (isLocked(node)) return false;
  // A shape showing a picture (another photo, an earlier matte) is content, not a prompt.
  if (getImagePaint(node.fills).kind !== 'none') return false;
  if (node.getPluginData(RESULT_SOURCE_KEY) !== '') return false;
  return true;
}

/** The typings: a node is locked if `.locked` is true for itself or any of its parents. */
function isLocked(node: SceneNode): boolean {
  for (let n: BaseNode | null = node; n && n.type !== 'PAGE' && n.type !== 'DOCUMENT'; n = n.parent) {
    if ('locked' in n && n.locked) return true;
  }
  return false;
}

export function readPromptShapeGeometry(node: PromptShapeNode): PromptShapeGeometry {
  return {
    type: node.type,
    width: node.width,
    height: node.height,
    absoluteTransform: node.absoluteTransform as Affine,
    // Mixed weights (per-side strokes) have no single brush width; 1 falls back to the model's minimum brush.
    strokeWeight: typeof node.strokeWeight === 'number' ? node.strokeWeight : 1,
    vectorPaths: node.type === 'VECTOR' ? node.vectorPaths.map((path) => path.data) : [],
  };
}
