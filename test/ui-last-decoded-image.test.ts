import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../core/rgba-image';
import { LastDecodedImage } from '../ui/last-decoded-image';

const image = (width: number, height: number): RgbaImage => ({
  width,
  height,
  data: new Uint8Array(4 * width * height),
});

describe('LastDecodedImage', () => {
  it('gives the kept image back for a job on the same hash at the same size, and only then', () => {
    const kept = new LastDecodedImage();
    const decoded = { imageHash: 'h1', source: image(10, 6), shown: image(5, 3) };
    kept.keep(decoded);
    expect(kept.find({ imageHash: 'h1', width: 10, height: 6 })).toBe(decoded);
    expect(kept.find({ imageHash: 'h2', width: 10, height: 6 })).toBeNull();
    expect(kept.find({ imageHash: 'h1', width: 6, height: 10 })).toBeNull();
    kept.clear();
    expect(kept.find({ imageHash: 'h1', width: 10, height: 6 })).toBeNull();
  });

  it('keeps nothing for an image without a hash: two such jobs may be different images', () => {
    const kept = new LastDecodedImage();
    kept.keep({ imageHash: '', source: image(10, 6), shown: image(10, 6) });
    expect(kept.find({ imageHash: '', width: 10, height: 6 })).toBeNull();
  });
});
