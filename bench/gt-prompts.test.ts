import { describe, expect, it } from 'vitest';
import { maskBox, mulberry32, samplePoints } from './gt-prompts';

describe('prompts from a ground-truth mask', () => {
  // 5x4 mask, foreground at (1,1), (2,1), (3,2)
  const W = 5;
  const H = 4;
  const gt = new Float32Array(W * H);
  gt[1 * W + 1] = 1;
  gt[1 * W + 2] = 0.8;
  gt[2 * W + 3] = 1;
  gt[3 * W + 0] = 0.5; // not > 0.5: background

  it('box = bounding box of gt > 0.5 with edges on pixel borders', () => {
    expect(maskBox(gt, W, H)).toEqual({ kind: 'box', x: 1, y: 1, width: 3, height: 2 });
    expect(maskBox(new Float32Array(4), 2, 2)).toBeNull();
  });

  it('points: distinct foreground pixel centres, deterministic for a seed', () => {
    const a = samplePoints(gt, W, H, 10, 0);
    expect(a).toHaveLength(3); // only 3 foreground pixels
    const set = new Set(a.map((p) => `${p.x},${p.y}`));
    expect(set).toEqual(new Set(['1.5,1.5', '2.5,1.5', '3.5,2.5']));
    expect(samplePoints(gt, W, H, 2, 0)).toEqual(samplePoints(gt, W, H, 2, 0));
    for (const p of samplePoints(gt, W, H, 2, 7)) expect(gt[Math.floor(p.y) * W + Math.floor(p.x)]).toBeGreaterThan(0.5);
  });

  it('mulberry32 is deterministic and in [0,1)', () => {
    const r1 = mulberry32(0);
    const r2 = mulberry32(0);
    for (let i = 0; i < 100; i++) {
      const v = r1();
      expect(v).toBe(r2());
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});
