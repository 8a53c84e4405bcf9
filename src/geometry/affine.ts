// 2x3 affine matrices in Figma's `Transform` layout, so node transforms can be used as they are:
//   [[a, c, e],
//    [b, d, f]]   x' = a*x + c*y + e,  y' = b*x + d*y + f
import type { Point } from '../../core/prompt-types';

export type Affine = readonly [readonly [number, number, number], readonly [number, number, number]];

export const IDENTITY: Affine = [
  [1, 0, 0],
  [0, 1, 0],
];

export function applyAffine(m: Affine, p: Point): Point {
  return {
    x: m[0][0] * p.x + m[0][1] * p.y + m[0][2],
    y: m[1][0] * p.x + m[1][1] * p.y + m[1][2],
  };
}

/** `outer ∘ inner`: the result applies `inner` first, then `outer`. */
export function multiplyAffine(outer: Affine, inner: Affine): Affine {
  const [[a1, c1, e1], [b1, d1, f1]] = outer;
  const [[a2, c2, e2], [b2, d2, f2]] = inner;
  return [
    [a1 * a2 + c1 * b2, a1 * c2 + c1 * d2, a1 * e2 + c1 * f2 + e1],
    [b1 * a2 + d1 * b2, b1 * c2 + d1 * d2, b1 * e2 + d1 * f2 + f1],
  ];
}

/** Chains transforms in the order they are applied to a point: `composeAffine(first, second, ...)`. */
export function composeAffine(...steps: Affine[]): Affine {
  return steps.reduce((acc, step) => multiplyAffine(step, acc), IDENTITY);
}

export function invertAffine(m: Affine): Affine {
  const [[a, c, e], [b, d, f]] = m;
  const det = a * d - b * c;
  // A zero-area node (width or height 0 after skew) has no inverse; callers turn this into a user message.
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error('Transform is not invertible');
  return [
    [d / det, -c / det, (c * f - d * e) / det],
    [-b / det, a / det, (b * e - a * f) / det],
  ];
}

export function translateAffine(tx: number, ty: number): Affine {
  return [
    [1, 0, tx],
    [0, 1, ty],
  ];
}

export function scaleAffine(sx: number, sy: number = sx): Affine {
  return [
    [sx, 0, 0],
    [0, sy, 0],
  ];
}

/**
 * How much the transform scales lengths, as one number: the square root of the area scale.
 * Used for stroke widths, which have no direction; under skew or non-uniform scale this is the
 * geometric mean of the two axis scales.
 */
export function linearScaleOf(m: Affine): number {
  return Math.sqrt(Math.abs(m[0][0] * m[1][1] - m[0][1] * m[1][0]));
}
