// Figma VectorPath.data -> polylines. Figma writes absolute M / L / Q / C / Z separated by single
// spaces; relative and H/V commands are accepted too so hand-written paths do not break prompts.
import type { Point } from '../../core/prompt-types';

/** Samples per curve segment: enough for a brush stroke, cheap for long pencil paths. */
const CURVE_STEPS = 12;

/** One polyline per sub-path (each `M` starts a new one). Sub-paths with a single point are kept: a click. */
export function flattenVectorPath(data: string): Point[][] {
  return new PathFlattener(data).flatten();
}

const ORIGIN: Point = { x: 0, y: 0 };

class PathFlattener {
  private readonly tokens: string[];
  private i = 0;
  private readonly lines: Point[][] = [];
  private current: Point[] = [];
  private pen: Point = { x: 0, y: 0 };
  private start: Point = { x: 0, y: 0 };
  private command = '';

  constructor(data: string) {
    this.tokens = data.match(/[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) ?? [];
  }

  flatten(): Point[][] {
    while (this.i < this.tokens.length) {
      this.readCommand();
      // Drawing after Z without a new M continues from the closed sub-path's start.
      if (this.current.length === 0 && !/^[MmZz]$/.test(this.command)) this.current.push(this.pen);
      this.drawSegment();
    }
    this.finish();
    return this.lines;
  }

  /** Takes a command letter if one is next; otherwise the numbers repeat the last command (SVG rule). */
  private readCommand(): void {
    if (/^[A-Za-z]$/.test(this.tokens[this.i])) {
      this.command = this.tokens[this.i++];
      if (this.lines.length === 0 && this.current.length === 0 && !/^[Mm]$/.test(this.command))
        throw new Error('Vector path must start with M');
    } else if (this.command === '' || this.command === 'Z' || this.command === 'z')
      throw new Error('Vector path must start with M');
  }

  private num(): number {
    const token = this.tokens[this.i++];
    const value = token === undefined ? NaN : Number(token);
    if (!Number.isFinite(value)) throw new Error(`Bad vector path near "${token ?? 'end'}"`);
    return value;
  }

  private finish(): void {
    if (this.current.length > 0) this.lines.push(this.current);
    this.current = [];
  }

  private drawSegment(): void {
    const relative = this.command === this.command.toLowerCase();
    // Relative coordinates count from the pen where the segment starts, for every point of it.
    const base = relative ? this.pen : ORIGIN;
    const at = (x: number, y: number): Point => ({ x: base.x + x, y: base.y + y });
    switch (this.command.toUpperCase()) {
      case 'M':
        this.finish();
        this.pen = at(this.num(), this.num());
        this.start = this.pen;
        this.current = [this.pen];
        // Further pairs after M are implicit line-tos (SVG rule).
        this.command = relative ? 'l' : 'L';
        break;
      case 'L':
        this.lineTo(at(this.num(), this.num()));
        break;
      case 'H':
        this.lineTo({ x: (relative ? this.pen.x : 0) + this.num(), y: this.pen.y });
        break;
      case 'V':
        this.lineTo({ x: this.pen.x, y: (relative ? this.pen.y : 0) + this.num() });
        break;
      case 'Q': {
        const p0 = this.pen;
        const c = at(this.num(), this.num());
        const end = at(this.num(), this.num());
        this.curveTo(end, (t) => quadratic(p0, c, end, t));
        break;
      }
      case 'C': {
        const p0 = this.pen;
        const c1 = at(this.num(), this.num());
        const c2 = at(this.num(), this.num());
        const end = at(this.num(), this.num());
        this.curveTo(end, (t) => cubic(p0, c1, c2, end, t));
        break;
      }
      case 'Z':
        this.close();
        break;
      default:
        throw new Error(`Unsupported vector path command "${this.command}"`);
    }
  }

  private lineTo(p: Point): void {
    this.pen = p;
    this.current.push(p);
  }

  private curveTo(end: Point, pointAt: (t: number) => Point): void {
    for (let s = 1; s <= CURVE_STEPS; s++) this.current.push(pointAt(s / CURVE_STEPS));
    this.pen = end;
  }

  private close(): void {
    if (this.current.length > 0) this.current.push(this.start);
    this.pen = this.start;
    this.finish();
    if (this.i < this.tokens.length && !/^[A-Za-z]$/.test(this.tokens[this.i])) throw new Error('Numbers after Z');
  }
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
