// Which kind of prompt a shape stands for. Pure: takes the few node fields it needs.
import { applyAffine, type Affine } from './affine';

export type PromptShapeType = 'RECTANGLE' | 'ELLIPSE' | 'VECTOR' | 'LINE' | 'POLYGON' | 'STAR';
export type PromptKindForShape = 'box' | 'point' | 'scribble';

/** Shapes this small on the canvas are clicks, whatever their type (a dot, a tiny square, a tap of the pencil). */
export const POINT_SHAPE_MAX_SIDE = 12;

/** `null`: not a prompt (a large polygon or star is artwork; only small ones read as clicks). */
export function classifyPromptShape(
  type: PromptShapeType,
  width: number,
  height: number,
  absoluteTransform: Affine,
): PromptKindForShape | null {
  const extent = canvasExtent(width, height, absoluteTransform);
  if (extent.width <= POINT_SHAPE_MAX_SIDE && extent.height <= POINT_SHAPE_MAX_SIDE) return 'point';
  switch (type) {
    case 'RECTANGLE':
      return 'box';
    case 'ELLIPSE':
      return 'point';
    case 'VECTOR':
    case 'LINE':
      return 'scribble';
    case 'POLYGON':
    case 'STAR':
      return null;
  }
}

/** Size on the page (axis-aligned), so a scaled-up or rotated small shape is judged by what the user sees. */
function canvasExtent(width: number, height: number, m: Affine): { width: number; height: number } {
  const corners = [
    { x: 0, y: 0 },
    { x: width, y: 0 },
    { x: width, y: height },
    { x: 0, y: height },
  ].map((p) => applyAffine(m, p));
  const xs = corners.map((p) => p.x);
  const ys = corners.map((p) => p.y);
  return { width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
}
