// Apply's PNG (ui/result-png.ts): asked for once per matte and setting, decoded back to what the
// composite gives; a failed one is asked for again.
import { describe, expect, it } from 'vitest';
import { alphaAsLuminanceMask, applyAlphaAsCutout } from '../core/composite';
import { decodeImage } from '../core/image-codecs';
import type { RgbaImage } from '../core/rgba-image';
import { encodeResultPng, ResultPngCache, type ResultPngInputs } from '../ui/result-png';

const source: RgbaImage = {
  width: 4,
  height: 2,
  data: new Uint8Array(32).map((_, i) => (i * 37) % 251),
};
const alpha = new Float32Array([1, 1, 0.5, 0, 1, 0.25, 0, 0]);
const cutout = { source, alpha, output: 'cutout' as const, decontaminate: true };

describe('ResultPngCache', () => {
  it('gives the PNG it asked for with the same matte and settings, and a new one when any of them changes', async () => {
    const cache = new ResultPngCache();
    expect(cache.has(cutout)).toBe(false);
    const first = cache.get(cutout);
    expect(cache.has(cutout)).toBe(true);
    expect(cache.get({ ...cutout })).toBe(first);
    expect(Array.from(decodeImage(await first).data)).toEqual(
      Array.from(applyAlphaAsCutout(source, alpha, { decontaminate: true }).data),
    );

    const plain = await cache.get({ ...cutout, decontaminate: false });
    expect(Array.from(decodeImage(plain).data)).toEqual(
      Array.from(applyAlphaAsCutout(source, alpha, { decontaminate: false }).data),
    );
    const mask = await cache.get({ ...cutout, output: 'mask' });
    expect(Array.from(decodeImage(mask).data)).toEqual(Array.from(alphaAsLuminanceMask(alpha, 4, 2).data));
    const other = await cache.get({ ...cutout, output: 'mask', alpha: new Float32Array(alpha) });
    expect(other).not.toBe(mask);
    // The bytes own their buffer: postMessage clones all of it.
    expect(other.byteOffset).toBe(0);
    expect(other.buffer.byteLength).toBe(other.byteLength);

    cache.clear();
    expect(cache.has({ ...cutout, output: 'mask', alpha })).toBe(false);
  });

  it('forgets a PNG that failed, so the next ask makes it again', async () => {
    const asked: ResultPngInputs[] = [];
    const cache = new ResultPngCache({
      offThread: true,
      make: async (inputs) => {
        asked.push(inputs);
        if (asked.length === 1) throw new Error('worker ran out of memory');
        return encodeResultPng(inputs);
      },
    });
    expect(cache.makesOffThread).toBe(true);
    await expect(cache.get(cutout)).rejects.toThrow('worker ran out of memory');
    expect(cache.has(cutout)).toBe(false);
    expect(decodeImage(await cache.get(cutout)).width).toBe(4);
    expect(asked).toHaveLength(2);
  });
});
