import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../core/rgba-image';
import { coarseMatteDisplay } from '../ui/coarse-matte-display';

// A 4x2 photo, one colour per column; its left half is the subject.
const shown: RgbaImage = {
  width: 4,
  height: 2,
  data: Uint8Array.from({ length: 32 }, (_, i) => (i % 4 === 3 ? 255 : 40 * ((i >> 2) % 4) + (i % 4))),
};
const channel = (image: RgbaImage, c: number) => Array.from(image.data.filter((_, i) => i % 4 === c));

describe('coarseMatteDisplay', () => {
  it('enlarges the coarse matte over the whole photo (bilinear, pixel centres) for the cut-out and the mask', () => {
    const { cutout, mask } = coarseMatteDisplay(shown, { alpha: Float32Array.from([1, 0]), width: 2, height: 1 });
    // Output centres at 0.5..3.5 fall on the two cells at -0.25, 0.25, 0.75, 1.25: 1, 0.75, 0.25, 0.
    const row = [255, 191, 64, 0];
    expect(channel(cutout, 3)).toEqual([...row, ...row]);
    expect(channel(mask, 0)).toEqual([...row, ...row]);
    expect(channel(mask, 3).every((a) => a === 255)).toBe(true);
  });

  it("keeps the photo's colours: the coarse matte's wide soft band is not decontaminated", () => {
    const { cutout } = coarseMatteDisplay(shown, { alpha: Float32Array.from([1, 0]), width: 2, height: 1 });
    for (const c of [0, 1, 2]) expect(channel(cutout, c)).toEqual(channel(shown, c));
  });
});
