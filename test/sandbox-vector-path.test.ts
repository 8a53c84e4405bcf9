import { describe, expect, it } from 'vitest';
import { flattenVectorPath } from '../src/geometry/flatten-vector-path';

describe('flattenVectorPath', () => {
  it('lines and close', () => {
    expect(flattenVectorPath('M 0 0 L 10 0 L 10 10 Z')).toEqual([
      [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 0 }],
    ]);
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

  it('one polyline per sub-path; a lone M is a click', () => {
    expect(flattenVectorPath('M 0 0 L 1 1 M 5 5 L 6 6 M 9 9')).toEqual([
      [{ x: 0, y: 0 }, { x: 1, y: 1 }],
      [{ x: 5, y: 5 }, { x: 6, y: 6 }],
      [{ x: 9, y: 9 }],
    ]);
  });

  it('drawing after Z continues from the sub-path start', () => {
    expect(flattenVectorPath('M 1 1 L 3 1 Z L 1 5')).toEqual([
      [{ x: 1, y: 1 }, { x: 3, y: 1 }, { x: 1, y: 1 }],
      [{ x: 1, y: 1 }, { x: 1, y: 5 }],
    ]);
  });

  it('relative commands, H/V, implicit line-tos, decimals and exponents', () => {
    expect(flattenVectorPath('m 1 1 l 2 0 h 2 v 3 M 0 0 1.5 -2e1')).toEqual([
      [{ x: 1, y: 1 }, { x: 3, y: 1 }, { x: 5, y: 1 }, { x: 5, y: 4 }],
      [{ x: 0, y: 0 }, { x: 1.5, y: -20 }],
    ]);
  });

  it('empty and malformed paths', () => {
    expect(flattenVectorPath('')).toEqual([]);
    expect(() => flattenVectorPath('L 1 2')).toThrow();
    expect(() => flattenVectorPath('M 1')).toThrow();
    expect(() => flattenVectorPath('M 0 0 A 1 1 0 0 0 5 5')).toThrow();
  });
});
