import { describe, expect, it } from 'vitest';
import { boxPromptBounds, fadeAlphaOutsideRect, MIN_FADE_PX } from '../core/fade-alpha-outside-box';
import type { Prompt } from '../core/prompt-types';

describe('boxPromptBounds', () => {
  it('is null without a box: clicks and strokes say nothing about the extent', () => {
    expect(boxPromptBounds([])).toBeNull();
    expect(
      boxPromptBounds([
        { kind: 'point', x: 5, y: 5 },
        { kind: 'scribble', points: [{ x: 1, y: 1 }], width: 4 },
      ]),
    ).toBeNull();
  });

  it('covers a box dragged up and left (negative size) like the same box drawn forwards', () => {
    expect(boxPromptBounds([{ kind: 'box', x: 60, y: 50, width: -40, height: -30 }])).toEqual({
      x0: 20,
      y0: 20,
      x1: 60,
      y1: 50,
    });
  });

  it('grows to a click or a stroke outside the box, and to every box', () => {
    const prompts: Prompt[] = [
      { kind: 'box', x: 10, y: 10, width: 20, height: 20 },
      { kind: 'point', x: 45, y: 15 },
      { kind: 'scribble', points: [{ x: 20, y: 50 }], width: 6 },
      { kind: 'box', x: 0, y: 12, width: 5, height: 5 },
    ];
    expect(boxPromptBounds(prompts)).toEqual({ x0: 0, y0: 10, x1: 45, y1: 53 });
  });

  it('does not grow to a "not this" click: it marks what to leave out, not where the object reaches', () => {
    const box: Prompt = { kind: 'box', x: 10, y: 10, width: 20, height: 20 };
    expect(boxPromptBounds([box, { kind: 'point', x: 45, y: 15, negative: true }])).toEqual({
      x0: 10,
      y0: 10,
      x1: 30,
      y1: 30,
    });
  });
});

describe('fadeAlphaOutsideRect', () => {
  const W = 200;
  const H = 100;
  // A 100-px-wide box: the fade runs over 5 px past its edges.
  const rect = { x0: 50, y0: 20, x1: 150, y1: 80 };
  const full = new Float32Array(W * H).fill(0.8);
  const out = fadeAlphaOutsideRect(full, W, H, rect);
  const at = (x: number, y: number) => out[y * W + x];

  it('leaves every pixel inside the box as it was, and the input untouched', () => {
    for (let y = 20; y < 80; y++) for (let x = 50; x < 150; x++) expect(at(x, y)).toBe(full[y * W + x]);
    expect(full.every((v) => v === Math.fround(0.8))).toBe(true);
  });

  it('fades linearly with the distance past the box, to 0 at 5% of its longer side', () => {
    // Column 151: centre 151.5 is 1.5 px past x1 = 150.
    expect(at(151, 50)).toBeCloseTo(0.8 * (1 - 1.5 / 5), 6);
    expect(at(48, 50)).toBeCloseTo(0.8 * (1 - 1.5 / 5), 6);
    expect(at(154, 50)).toBeCloseTo(0.8 * (1 - 4.5 / 5), 6);
    expect(at(155, 50)).toBe(0);
    expect(at(100, 10)).toBe(0);
    expect(at(0, 0)).toBe(0);
    // Diagonally past a corner the farther axis decides.
    expect(at(151, 82)).toBeCloseTo(0.8 * (1 - 2.5 / 5), 6);
  });

  it('never fades over fewer than MIN_FADE_PX pixels, however small the box', () => {
    const tiny = fadeAlphaOutsideRect(new Float32Array(20 * 20).fill(1), 20, 20, { x0: 8, y0: 8, x1: 10, y1: 10 });
    expect(tiny[9 * 20 + 10]).toBeCloseTo(1 - 0.5 / MIN_FADE_PX, 6);
    expect(tiny[9 * 20 + 14]).toBe(0);
  });
});
