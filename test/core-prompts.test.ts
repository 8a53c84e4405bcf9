import { describe, expect, it } from 'vitest';
import { pointRadius, promptsInsideImage, rasterizePrompts, scribbleRadius } from '../core/prompts';
import { maskRunsToScribbles } from '../core/scribble-mask';
import type { Prompt } from '../core/prompt-types';
import type { PromptGeometry } from '../core/model-config';

// A 1000x500 source at S = 512: scale 0.512, content 512x256. Geometry as models/model.json has it.
const W = 1000,
  H = 500,
  S = 512;
const G: PromptGeometry = { pointRadiusFraction: 1 / 80, minScribbleWidth: 3 };
const at = (mask: Float32Array, i: number, j: number) => mask[j * S + i];
const count = (mask: Float32Array) => mask.reduce((a, v) => a + v, 0);
const columnRun = (mask: Float32Array, i: number) => {
  const rows: number[] = [];
  for (let j = 0; j < S; j++) if (at(mask, i, j)) rows.push(j);
  return rows;
};

describe('box', () => {
  it('marks pixel centres inside the half-open box scaled to model pixels', () => {
    // x1 = 100 * 0.512 = 51.2 -> columns with i + 0.5 < 51.2 -> 0..50; y1 = 25.6 -> rows 0..25.
    const { mask, hasPrompt } = rasterizePrompts([{ kind: 'box', x: 0, y: 0, width: 100, height: 50 }], W, H, S, G);
    expect(hasPrompt).toBe(true);
    expect(count(mask)).toBe(51 * 26);
    expect([at(mask, 50, 25), at(mask, 51, 25), at(mask, 50, 26)]).toEqual([1, 0, 0]);
  });

  it('includes a pixel whose centre sits exactly on the left/top edge and excludes it on the right', () => {
    // x = 10.5 / 0.512 puts the left edge on centre 10.5; width so the right edge is on centre 20.5.
    const x = 10.5 / 0.512,
      w = 10 / 0.512;
    const { mask } = rasterizePrompts([{ kind: 'box', x, y: x, width: w, height: w }], W, H, S, G);
    expect(at(mask, 10, 10)).toBe(1);
    expect(at(mask, 19, 19)).toBe(1);
    expect(at(mask, 20, 10)).toBe(0);
  });

  it('accepts boxes drawn with negative width/height', () => {
    const a = rasterizePrompts([{ kind: 'box', x: 100, y: 50, width: 200, height: 100 }], W, H, S, G).mask;
    const b = rasterizePrompts([{ kind: 'box', x: 300, y: 150, width: -200, height: -100 }], W, H, S, G).mask;
    expect(b.every((v, k) => v === a[k])).toBe(true);
  });

  it('clips a box partly outside the image to the mask', () => {
    const { mask, hasPrompt } = rasterizePrompts(
      [{ kind: 'box', x: -100, y: -100, width: 200, height: 200 }],
      W,
      H,
      S,
      G,
    );
    expect(hasPrompt).toBe(true);
    expect(count(mask)).toBe(51 * 51);
    expect(at(mask, 0, 0)).toBe(1);
  });
});

describe('point', () => {
  it('is a disc of radius S/80 around the scaled point', () => {
    expect(pointRadius(512, G)).toBeCloseTo(6.4);
    // (500, 250) -> model (256, 128), on a pixel corner.
    const { mask } = rasterizePrompts([{ kind: 'point', x: 500, y: 250 }], W, H, S, G);
    expect(at(mask, 261, 128)).toBe(1); // distance ~5.52
    expect(at(mask, 262, 128)).toBe(0); // ~6.52
    expect(at(mask, 250, 128)).toBe(1);
    expect(at(mask, 249, 128)).toBe(0);
    expect(columnRun(mask, 256)).toEqual([122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133]);
    const area = count(mask);
    expect(Math.abs(area - Math.PI * 6.4 * 6.4) / (Math.PI * 6.4 * 6.4)).toBeLessThan(0.1);
  });

  it('scales the radius with the working size, not the image', () => {
    const small = count(rasterizePrompts([{ kind: 'point', x: 500, y: 250 }], W, H, 256, G).mask);
    const big = count(rasterizePrompts([{ kind: 'point', x: 500, y: 250 }], W, H, 1024, G).mask);
    expect(big / small).toBeGreaterThan(14);
    expect(big / small).toBeLessThan(18);
  });
});

describe('scribble', () => {
  const line = (width: number): Prompt => ({
    kind: 'scribble',
    points: [
      { x: 100, y: 250 },
      { x: 900, y: 250 },
    ],
    width,
  });

  it('is a stroke of width max(width * scale, 3) around the polyline', () => {
    expect(scribbleRadius(20, 0.512, G)).toBeCloseTo(5.12);
    // |j + 0.5 - 128| <= 5.12 -> rows 123..132.
    expect(columnRun(rasterizePrompts([line(20)], W, H, S, G).mask, 256)).toEqual([
      123, 124, 125, 126, 127, 128, 129, 130, 131, 132,
    ]);
  });

  it('never gets thinner than 3 model pixels', () => {
    expect(scribbleRadius(1, 0.512, G)).toBe(1.5);
    expect(columnRun(rasterizePrompts([line(1)], W, H, S, G).mask, 256)).toEqual([126, 127, 128, 129]);
  });

  it('has round caps and follows every segment of the polyline', () => {
    const p: Prompt = {
      kind: 'scribble',
      points: [
        { x: 100, y: 100 },
        { x: 400, y: 100 },
        { x: 400, y: 400 },
      ],
      width: 20,
    };
    const { mask } = rasterizePrompts([p], W, H, S, G);
    expect(at(mask, 120, 51)).toBe(1); // first segment
    expect(at(mask, 204, 120)).toBe(1); // second segment (x = 204.8)
    expect(at(mask, 46, 51)).toBe(1); // cap: 5.12 around the start (51.2, 51.2)
    expect(at(mask, 44, 51)).toBe(0);
  });

  it('a single-point scribble is a disc', () => {
    const { mask } = rasterizePrompts([{ kind: 'scribble', points: [{ x: 500, y: 250 }], width: 20 }], W, H, S, G);
    expect(count(mask)).toBeGreaterThan(70);
    expect(at(mask, 256, 128)).toBe(1);
  });
});

describe('prompts outside the image', () => {
  it('drops prompts entirely outside and reports no prompt when none is left', () => {
    const outside: Prompt[] = [
      { kind: 'box', x: 2000, y: 0, width: 100, height: 100 },
      { kind: 'point', x: -5, y: 10 },
      // In the letterbox padding (below the content) but outside the source: must not paint.
      { kind: 'point', x: 500, y: 700 },
      {
        kind: 'scribble',
        points: [
          { x: -50, y: -50 },
          { x: -10, y: -10 },
        ],
        width: 4,
      },
    ];
    expect(promptsInsideImage(outside, W, H)).toEqual([]);
    const { mask, hasPrompt } = rasterizePrompts(outside, W, H, S, G);
    expect(hasPrompt).toBe(false);
    expect(count(mask)).toBe(0);
  });

  it('keeps the inside ones of a mixed list and prompts that cross the image', () => {
    const crossing: Prompt = {
      kind: 'scribble',
      points: [
        { x: -10, y: 100 },
        { x: 1010, y: 100 },
      ],
      width: 2,
    };
    const inside: Prompt = { kind: 'point', x: 10, y: 10 };
    expect(promptsInsideImage([{ kind: 'point', x: -1, y: 0 }, crossing, inside], W, H)).toEqual([crossing, inside]);
  });

  it('treats an empty prompt list as automatic', () => {
    const { mask, hasPrompt } = rasterizePrompts([], W, H, S, G);
    expect(hasPrompt).toBe(false);
    expect(mask.length).toBe(S * S);
  });

  it('ignores degenerate boxes and NaN coordinates', () => {
    expect(
      promptsInsideImage(
        [
          { kind: 'box', x: 10, y: 10, width: 0, height: 5 },
          { kind: 'point', x: NaN, y: 1 },
        ],
        W,
        H,
      ),
    ).toEqual([]);
  });
});

describe('scribble masks', () => {
  it('turn each painted run into a segment that covers it after rasterisation', () => {
    const w = 40,
      h = 20;
    const painted = new Uint8Array(w * h);
    for (let x = 5; x < 15; x++) painted[3 * w + x] = 1;
    painted[10 * w + 30] = 1;
    const strokes = maskRunsToScribbles(painted, w, h);
    expect(strokes).toEqual([
      {
        kind: 'scribble',
        points: [
          { x: 5.5, y: 3.5 },
          { x: 14.5, y: 3.5 },
        ],
        width: 1,
      },
      {
        kind: 'scribble',
        points: [
          { x: 30.5, y: 10.5 },
          { x: 30.5, y: 10.5 },
        ],
        width: 1,
      },
    ]);
    // Enlarged 12.8x for S = 512: every painted pixel's centre must be marked.
    const { mask } = rasterizePrompts(strokes, w, h, 512, G);
    const s = 512 / 40;
    for (let i = 0; i < w * h; i++) {
      if (!painted[i]) continue;
      const mi = Math.floor(((i % w) + 0.5) * s),
        mj = Math.floor((Math.floor(i / w) + 0.5) * s);
      expect(mask[mj * 512 + mi]).toBe(1);
    }
  });
});
