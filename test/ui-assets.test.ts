import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, gunzip } from '../ui/assets';
import { downscaleForDisplay, fitSize } from '../ui/preview';

describe('inlined assets', () => {
  it('base64 + gzip round trip (what build.mjs writes and the iframe reads)', async () => {
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256);
    const b64 = gzipSync(bytes).toString('base64');
    const packed = base64ToBytes(b64.replace(/(.{76})/g, '$1\n'));
    expect(Array.from(await gunzip(packed))).toEqual(Array.from(bytes));
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
