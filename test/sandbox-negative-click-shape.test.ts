// The rules that make a click a "not this" click (README, prompt shapes), at their edges: which
// names say so, which colours read as red, and which paint of a shape counts as its colour.
import { describe, expect, it } from 'vitest';
import { clickSignOfName } from '../src/prompts/click-sign-of-name';
import { isNegativeClickShape } from '../src/prompts/is-negative-click-shape';
import { isRed } from '../src/prompts/is-red';
import { shapeColour } from '../src/prompts/shape-colour';

/** A fully saturated, full-value colour at `hue` degrees. */
function hsv(hue: number, saturation = 1, value = 1): RGB {
  const f = (n: number) => {
    const k = (n + hue / 60) % 6;
    return value - value * saturation * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return { r: f(5), g: f(3), b: f(1) };
}

const solid = (color: RGB, extra: Partial<SolidPaint> = {}): SolidPaint => ({ type: 'SOLID', color, ...extra });

describe('names', () => {
  it('"-", the minus sign, the en dash, "not" as a word and "exclud…" at the start say "not this"', () => {
    for (const name of ['- sky', '-sky', '\u2212 logo', '\u2013 hand', 'not this', 'Not', 'NOT-the-cup', '  not x'])
      expect([name, clickSignOfName(name)]).toEqual([name, 'not-this']);
    for (const name of ['Exclude', 'excluded hand', 'Excluding'])
      expect([name, clickSignOfName(name)]).toEqual([name, 'not-this']);
  });

  it('"+" says keep; other names say nothing', () => {
    expect(clickSignOfName('+ logo')).toBe('keep');
    for (const name of ['Ellipse 1', 'Note', 'Nothing', 'knot', 'sky -', 'the not-dot', ''])
      expect([name, clickSignOfName(name)]).toEqual([name, null]);
  });
});

describe('red', () => {
  it('within 25° of red, either side', () => {
    expect([0, 10, 24.5, 335.5, 350].map((h) => isRed(hsv(h)))).toEqual([true, true, true, true, true]);
    expect([25.5, 40, 60, 120, 240, 300, 334.5].map((h) => isRed(hsv(h)))).toEqual(Array(7).fill(false));
  });

  it('saturation at least 0.5 and value at least 0.35', () => {
    expect(isRed(hsv(0, 0.5))).toBe(true);
    expect(isRed(hsv(0, 0.49))).toBe(false);
    expect(isRed(hsv(0, 1, 0.35))).toBe(true);
    expect(isRed(hsv(0, 1, 0.34))).toBe(false);
    expect(isRed({ r: 0, g: 0, b: 0 })).toBe(false);
    expect(isRed({ r: 1, g: 1, b: 1 })).toBe(false);
  });
});

describe("a shape's colour", () => {
  const RED = hsv(0);
  const BLUE = hsv(240);

  it('the top-most visible fill (the last in the list), skipping hidden and fully transparent ones', () => {
    expect(shapeColour([solid(BLUE), solid(RED)], [])).toEqual(RED);
    expect(shapeColour([solid(BLUE), solid(RED, { visible: false })], [])).toEqual(BLUE);
    expect(shapeColour([solid(BLUE), solid(RED, { opacity: 0 })], [])).toEqual(BLUE);
  });

  it('a gradient or image on top is no single colour; without a visible fill the stroke counts', () => {
    const gradient: GradientPaint = {
      type: 'GRADIENT_LINEAR',
      gradientTransform: [
        [1, 0, 0],
        [0, 1, 0],
      ],
      gradientStops: [],
    };
    expect(shapeColour([solid(RED), gradient], [])).toBeNull();
    expect(shapeColour([], [solid(RED)])).toEqual(RED);
    expect(shapeColour([solid(RED, { visible: false })], [solid(BLUE)])).toEqual(BLUE);
    expect(shapeColour(Symbol('mixed'), [solid(RED)])).toEqual(RED);
    expect(shapeColour([], [])).toBeNull();
  });

  it('the name wins over the colour, either way', () => {
    expect(isNegativeClickShape({ name: 'Ellipse 1', fills: [solid(RED)], strokes: [] })).toBe(true);
    expect(isNegativeClickShape({ name: '+ brand dot', fills: [solid(RED)], strokes: [] })).toBe(false);
    expect(isNegativeClickShape({ name: 'not this', fills: [solid(BLUE)], strokes: [] })).toBe(true);
    expect(isNegativeClickShape({ name: 'Ellipse 1', fills: [solid(BLUE)], strokes: [] })).toBe(false);
  });
});
