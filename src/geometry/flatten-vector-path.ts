// Figma VectorPath.data -> polylines. Figma writes absolute M / L / Q / C / Z separated by single
// spaces; relative and H/V commands are accepted too so hand-written paths do not break prompts.
import type { Point } from '../../core/prompt-types';

/** Samples per curve segment: enough for a brush stroke, cheap for long pencil paths. */
const CURVE_STEPS = 12;

/** One polyline per sub-path (each `M` starts a new one). Sub-paths with a single point are kept: a click. */
export function flattenVectorPath(data: string): Point[][] {
  const tokens = data.match(/[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) ?? [];
  const lines: Point[][] = [];
  let current: Point[] = [];
  let pen: Point = { x: 0, y: 0 };
  let start: Point = { x: 0, y: 0 };
  let command = '';
  let i = 0;

  const num = (): number => {
    const token = tokens[i++];
    const value = token === undefined ? NaN : Number(token);
    if (!Number.isFinite(value)) throw new Error(`Bad vector path near "${token ?? 'end'}"`);
    return value;
  };
  const finish = () => {
    if (current.length > 0) lines.push(current);
    current = [];
  };

  while (i < tokens.length) {
    if (/^[A-Za-z]$/.test(tokens[i])) {
      command = tokens[i++];
      if (lines.length === 0 && current.length === 0 && !/^[Mm]$/.test(command)) throw new Error('Vector path must start with M');
    }
    else if (command === '' || command === 'Z' || command === 'z') throw new Error('Vector path must start with M');
    const relative = command === command.toLowerCase();
    const base = relative ? pen : { x: 0, y: 0 };
    const at = (x: number, y: number): Point => ({ x: base.x + x, y: base.y + y });
    // Drawing after Z without a new M continues from the closed sub-path's start.
    if (current.length === 0 && !/^[MmZz]$/.test(command)) current.push(pen);

    switch (command.toUpperCase()) {
      case 'M': {
        finish();
        pen = at(num(), num());
        start = pen;
        current = [pen];
        // Further pairs after M are implicit line-tos (SVG rule).
        command = relative ? 'l' : 'L';
        break;
      }
      case 'L':
        pen = at(num(), num());
        current.push(pen);
        break;
      case 'H':
        pen = { x: (relative ? pen.x : 0) + num(), y: pen.y };
        current.push(pen);
        break;
      case 'V':
        pen = { x: pen.x, y: (relative ? pen.y : 0) + num() };
        current.push(pen);
        break;
      case 'Q': {
        const c = at(num(), num());
        const end = at(num(), num());
        for (let s = 1; s <= CURVE_STEPS; s++) current.push(quadratic(pen, c, end, s / CURVE_STEPS));
        pen = end;
        break;
      }
      case 'C': {
        const c1 = at(num(), num());
        const c2 = at(num(), num());
        const end = at(num(), num());
        for (let s = 1; s <= CURVE_STEPS; s++) current.push(cubic(pen, c1, c2, end, s / CURVE_STEPS));
        pen = end;
        break;
      }
      case 'Z':
        if (current.length > 0) current.push(start);
        pen = start;
        finish();
        if (i < tokens.length && !/^[A-Za-z]$/.test(tokens[i])) throw new Error('Numbers after Z');
        break;
      default:
        throw new Error(`Unsupported vector path command "${command}"`);
    }
  }
  finish();
  return lines;
}

function quadratic(p0: Point, c: Point, p1: Point, t: number): Point {
  const u = 1 - t;
  return { x: u * u * p0.x + 2 * u * t * c.x + t * t * p1.x, y: u * u * p0.y + 2 * u * t * c.y + t * t * p1.y };
}

function cubic(p0: Point, c1: Point, c2: Point, p1: Point, t: number): Point {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const c = 3 * u * t * t;
  const d = t * t * t;
  return { x: a * p0.x + b * c1.x + c * c2.x + d * p1.x, y: a * p0.y + b * c1.y + c * c2.y + d * p1.y };
}
