import { describe, expect, it } from 'vitest';
import { alongPolyline, SAM_LABEL, samPoints } from '../core/sam-points';
import { rasterizePrompts } from '../core/prompts';

// The same cases as smat_model/tests/test_prompts.py's SAM-point tests: the two sides are twins.
describe('samPoints', () => {
  it('reads a box as its two corners in model pixels, with no padding point', () => {
    const { coords, labels } = samPoints([{ kind: 'box', x: 10, y: 20, width: 30, height: 40 }], 0.5);
    expect(Array.from(coords)).toEqual([5, 10, 20, 30]);
    expect(Array.from(labels)).toEqual([SAM_LABEL.boxTopLeft, SAM_LABEL.boxBottomRight]);
  });

  it('flips a box drawn backwards and takes the rectangle around several boxes', () => {
    const { coords } = samPoints(
      [
        { kind: 'box', x: 40, y: 60, width: -30, height: -40 },
        { kind: 'box', x: 50, y: 0, width: 10, height: 10 },
      ],
      1,
    );
    expect(Array.from(coords)).toEqual([10, 0, 60, 60]);
  });

  it('labels clicks 1 and "not this" clicks 0, then adds the padding point SAM expects without a box', () => {
    const { coords, labels } = samPoints(
      [
        { kind: 'point', x: 100, y: 50 },
        { kind: 'point', x: 10, y: 10, negative: true },
      ],
      2,
    );
    expect(Array.from(coords)).toEqual([200, 100, 20, 20, 0, 0]);
    expect(Array.from(labels)).toEqual([SAM_LABEL.click, SAM_LABEL.negativeClick, SAM_LABEL.pad]);
  });

  it('reads a scribble as six points evenly spaced along its stroke', () => {
    const { coords, labels } = samPoints(
      [
        {
          kind: 'scribble',
          points: [
            { x: 0, y: 0 },
            { x: 50, y: 0 },
            { x: 50, y: 50 },
          ],
          width: 4,
        },
      ],
      1,
    );
    expect(Array.from(coords)).toEqual([0, 0, 20, 0, 40, 0, 50, 10, 50, 30, 50, 50, 0, 0]);
    expect(Array.from(labels)).toEqual([1, 1, 1, 1, 1, 1, SAM_LABEL.pad]);
  });

  it('reads a one-point scribble as one click', () => {
    expect(alongPolyline([{ x: 3, y: 4 }], 6)).toEqual([{ x: 3, y: 4 }]);
  });
});

describe('negative clicks in the prompt mask', () => {
  it('leave the mask of what to keep, and alone they are no prompt', () => {
    const negative = { kind: 'point' as const, x: 50, y: 50, negative: true };
    const G = { pointRadiusFraction: 1 / 80, minScribbleWidth: 3 };
    const alone = rasterizePrompts([negative], 100, 100, 64, G);
    expect(alone.hasPrompt).toBe(false);
    expect(alone.mask.some((v) => v > 0)).toBe(false);
    // Still inside the image: what tells "only not this" apart from "nothing on the image".
    expect(alone.inside).toEqual([negative]);
    const outsideClick = { kind: 'point' as const, x: 500, y: 10 };
    const withClick = rasterizePrompts([negative, { kind: 'point', x: 10, y: 10 }, outsideClick], 100, 100, 64, G);
    expect(withClick.inside).toEqual([negative, { kind: 'point', x: 10, y: 10 }]);
    expect(withClick.hasPrompt).toBe(true);
    expect(withClick.mask[Math.floor(50 * 0.64) * 64 + Math.floor(50 * 0.64)]).toBe(0);
    expect(withClick.mask[6 * 64 + 6]).toBe(1);
  });
});
