import { describe, expect, it } from 'vitest';
import { flattenVectorPath } from '../src/geometry/flatten-vector-path';

/** 'x,y x,y ...' as the { x, y } points flattenVectorPath returns. */
function pointsOf(polyline: string): { x: number; y: number }[] {
  return polyline.split(' ').map((xy) => {
    const [x, y] = xy.split(',').map(Number);
    return { x, y };
  });
}

describe('flattenVectorPath', () => {
  // Expected polylines as 'x,y x,y ...' strings, one per sub-path, so that a case reads as one line.
  it.each([
    { name: 'lines and close', path: 'M 0 0 L 10 0 L 10 10 Z', lines: ['0,0 10,0 10,10 0,0'] },
    {
      name: 'one polyline per sub-path; a lone M is a click',
      path: 'M 0 0 L 1 1 M 5 5 L 6 6 M 9 9',
      lines: ['0,0 1,1', '5,5 6,6', '9,9'],
    },
    {
      name: 'drawing after Z continues from the sub-path start',
      path: 'M 1 1 L 3 1 Z L 1 5',
      lines: ['1,1 3,1 1,1', '1,1 1,5'],
    },
    {
      name: 'relative commands, H/V, implicit line-tos, decimals and exponents',
      path: 'm 1 1 l 2 0 h 2 v 3 M 0 0 1.5 -2e1',
      lines: ['1,1 3,1 5,1 5,4', '0,0 1.5,-20'],
    },
  ])('$name', ({ path, lines }) => {
    expect(flattenVectorPath(path)).toEqual(lines.map(pointsOf));
  });

  it('samples cubic curves through their ends and midpoint', () => {
    const [line] = flattenVectorPath('M 0 0 C 0 10 10 10 10 0');
    expect(line[0]).toEqual({ x: 0, y: 0 });
    expect(line[line.length - 1]).toEqual({ x: 10, y: 0 });
    expect(line.length).toBeGreaterThan(8);
    // B(0.5) = (5, 7.5) is one of the samples.
    expect(line.some((p) => Math.abs(p.x - 5) < 1e-9 && Math.abs(p.y - 7.5) < 1e-9)).toBe(true);
  });

  it('samples quadratic curves', () => {
    const [line] = flattenVectorPath('M 0 0 Q 5 10 10 0');
    expect(line[line.length - 1]).toEqual({ x: 10, y: 0 });
    expect(line.some((p) => Math.abs(p.x - 5) < 1e-9 && Math.abs(p.y - 5) < 1e-9)).toBe(true);
  });

  it('empty and malformed paths', () => {
    expect(flattenVectorPath('')).toEqual([]);
    expect(() => flattenVectorPath('L 1 2')).toThrow();
    expect(() => flattenVectorPath('M 1')).toThrow();
    expect(() => flattenVectorPath('M 0 0 A 1 1 0 0 0 5 5')).toThrow();
  });
});
