import { describe, expect, it } from 'vitest';
import { alphaAsLuminanceMask, applyAlphaAsCutout } from '../core/composite';
import { decodeImage, encodePng } from '../core/image-codecs';

describe('applyAlphaAsCutout', () => {
  const image = {
    width: 2,
    height: 2,
    data: Uint8Array.from([200, 10, 10, 255, 1, 2, 3, 255, 50, 60, 70, 128, 9, 9, 9, 255]),
  };

  it('keeps RGB untouched and writes the matte as straight alpha', () => {
    const out = applyAlphaAsCutout(image, Float32Array.from([3 / 255, 0, 1, 0.5]));
    expect(Array.from(out.data)).toEqual([200, 10, 10, 3, 1, 2, 3, 0, 50, 60, 70, 128, 9, 9, 9, 128]);
    // Colour under alpha 3 survives the PNG round trip too.
    expect(Array.from(decodeImage(encodePng(out)).data.subarray(0, 4))).toEqual([200, 10, 10, 3]);
  });

  it('multiplies with the source alpha, clamps, and does not modify the input', () => {
    const out = applyAlphaAsCutout(image, Float32Array.from([1.5, -2, 0.5, NaN]));
    expect([out.data[3], out.data[7], out.data[11], out.data[15]]).toEqual([255, 0, 64, 0]);
    expect(image.data[3]).toBe(255);
  });

  it("decontaminates with the estimator's options: a smaller work size gives nearby colours (the panel's preview)", () => {
    // A red disc on a green-to-blue ramp, its edge soft over 8 px.
    const W = 96;
    const data = new Uint8Array(4 * W * W);
    const alpha = new Float32Array(W * W);
    for (let y = 0; y < W; y++)
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        const a = Math.min(1, Math.max(0, (30 - Math.hypot(x - 48, y - 48)) / 8));
        alpha[i] = a;
        data.set([Math.round(220 * a), Math.round((1 - a) * (255 - 2 * x)), Math.round((1 - a) * 2 * y), 255], 4 * i);
      }
    const photo = { width: W, height: W, data };
    const full = applyAlphaAsCutout(photo, alpha, { decontaminate: true });
    const preview = applyAlphaAsCutout(photo, alpha, { decontaminate: true, foreground: { maxWorkSide: W / 2 } });
    let diff = 0;
    let soft = 0;
    for (let i = 0; i < alpha.length; i++) {
      const a = full.data[4 * i + 3];
      expect(preview.data[4 * i + 3]).toBe(a);
      if (a === 0 || a === 255) continue;
      soft++;
      for (let c = 0; c < 3; c++) diff += Math.abs(preview.data[4 * i + c] - full.data[4 * i + c]);
    }
    expect(soft).toBeGreaterThan(500);
    const mean = diff / (3 * soft);
    expect(mean).toBeGreaterThan(0);
    expect(mean).toBeLessThan(12);
  });

  it('rejects an alpha of the wrong size', () => {
    expect(() => applyAlphaAsCutout(image, new Float32Array(3))).toThrow(/3 values/);
  });
});

describe('alphaAsLuminanceMask', () => {
  it('is opaque grey with white = foreground', () => {
    const out = alphaAsLuminanceMask(Float32Array.from([0, 0.5, 1]), 3, 1);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
  });
});
