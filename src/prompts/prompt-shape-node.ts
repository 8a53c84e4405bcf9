// Which canvas node types can be prompts, and how to read their geometry off the node. Whether a
// given node of these types is used is decided in judge-prompt-candidate.ts.
import type { Affine } from '../geometry/affine';
import type { PromptShapeGeometry } from '../geometry/map-shape-to-image-prompts';

export type PromptShapeNode = RectangleNode | EllipseNode | VectorNode | LineNode | PolygonNode | StarNode;

const PROMPT_TYPES: ReadonlySet<string> = new Set(['RECTANGLE', 'ELLIPSE', 'VECTOR', 'LINE', 'POLYGON', 'STAR']);

export function isPromptShapeType(node: SceneNode): node is PromptShapeNode {
  return PROMPT_TYPES.has(node.type);
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
