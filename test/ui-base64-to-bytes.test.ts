import { describe, expect, it } from 'vitest';
import { base64ToBytes } from '../ui/base64-to-bytes';
import { downscaleForDisplay, fitSize } from '../ui/preview';

describe('streamed assets', () => {
  it('base64 decodes to the bytes, line breaks ignored (the gzip side: ui-asset-receiver.test.ts)', () => {
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256);
    const b64 = Buffer.from(bytes).toString('base64');
    expect(Array.from(base64ToBytes(b64.replace(/(.{76})/g, '$1\n')))).toEqual(Array.from(bytes));
  });
});

describe('display previews', () => {
  it('fitSize keeps the aspect ratio and never enlarges', () => {
    expect(fitSize(2000, 1000, 500)).toEqual({ width: 500, height: 250 });
    expect(fitSize(100, 50, 500)).toEqual({ width: 100, height: 50 });
  });

  it('downscales with premultiplied averaging: hidden colour does not bleed', () => {
    // 2x1: opaque red next to fully transparent green -> one half-transparent red pixel.
    const img = { width: 2, height: 1, data: Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 0]) };
    const small = downscaleForDisplay(img, 1);
    expect(Array.from(small.data)).toEqual([255, 0, 0, 128]);
  });
});
