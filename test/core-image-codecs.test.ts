import { describe, expect, it } from 'vitest';
import { encode as fastPngEncode } from 'fast-png';
import jpeg from 'jpeg-js';
import { decodeImage, decodeImageWithInfo, encodeGreyPng, encodePng } from '../core/image-codecs';

const px = (img: { width: number; data: Uint8Array }, x: number, y: number) => Array.from(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 4));

describe('PNG round trip', () => {
  it('keeps straight alpha exactly, even colour under alpha 3 and 0', () => {
    const data = Uint8Array.from([200, 10, 10, 3, 1, 2, 3, 0, 255, 255, 255, 255, 0, 128, 64, 129]);
    const bytes = encodePng({ width: 2, height: 2, data });
    const back = decodeImage(bytes);
    expect(back.width).toBe(2);
    expect(back.height).toBe(2);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('rejects a data length that does not match the size', () => {
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(15) })).toThrow(/16 bytes/);
  });

  it('writes a one-channel grey PNG for alpha planes', () => {
    const back = decodeImageWithInfo(encodeGreyPng(Float32Array.from([0, 0.5, 1, 2]), 2, 2));
    expect(back.hasAlpha).toBe(false);
    expect([px(back.image, 0, 0), px(back.image, 1, 0), px(back.image, 0, 1), px(back.image, 1, 1)]).toEqual([
      [0, 0, 0, 255], [128, 128, 128, 255], [255, 255, 255, 255], [255, 255, 255, 255],
    ]);
  });
});

describe('PNG decoding of every colour type', () => {
  it('16-bit RGBA is reduced to 8 bits', () => {
    const bytes = fastPngEncode({ width: 1, height: 1, depth: 16, channels: 4, data: Uint16Array.from([65535, 0, 32896, 771]) });
    const { image, hasAlpha } = decodeImageWithInfo(bytes);
    expect(px(image, 0, 0)).toEqual([255, 0, 128, 3]);
    expect(hasAlpha).toBe(true);
  });

  it('8-bit grey and grey+alpha', () => {
    const g = decodeImageWithInfo(fastPngEncode({ width: 2, height: 1, depth: 8, channels: 1, data: Uint8Array.from([7, 250]) }));
    expect(px(g.image, 0, 0)).toEqual([7, 7, 7, 255]);
    expect(px(g.image, 1, 0)).toEqual([250, 250, 250, 255]);
    expect(g.hasAlpha).toBe(false);
    const ga = decodeImage(fastPngEncode({ width: 1, height: 1, depth: 8, channels: 2, data: Uint8Array.from([90, 40]) }));
    expect(px(ga, 0, 0)).toEqual([90, 90, 90, 40]);
  });

  it('1-bit grey with rows that do not end on a byte', () => {
    // 3 pixels per row, packed MSB first: row 0 = 1,0,1; row 1 = 0,1,0.
    const bytes = fastPngEncode({ width: 3, height: 2, depth: 1, channels: 1, data: Uint8Array.from([0b10100000, 0b01000000]) });
    const img = decodeImage(bytes);
    expect([0, 1, 2].map((x) => px(img, x, 0)[0])).toEqual([255, 0, 255]);
    expect([0, 1, 2].map((x) => px(img, x, 1)[0])).toEqual([0, 255, 0]);
  });

  it('RGB', () => {
    const img = decodeImage(fastPngEncode({ width: 1, height: 1, depth: 8, channels: 3, data: Uint8Array.from([1, 2, 3]) }));
    expect(px(img, 0, 0)).toEqual([1, 2, 3, 255]);
  });

  it('palette with transparency, 4 bits per index', () => {
    // Translucent entry first: fast-png's encoder writes tRNS for non-opaque entries only, which
    // is only right when they lead the palette.
    const palette = [[0, 255, 0, 10], [255, 0, 0, 255], [0, 0, 255, 255]];
    const bytes = fastPngEncode({ width: 3, height: 1, depth: 4, channels: 1, palette, data: Uint8Array.from([0x01, 0x20]) });
    const { image, hasAlpha } = decodeImageWithInfo(bytes);
    expect([px(image, 0, 0), px(image, 1, 0), px(image, 2, 0)]).toEqual(palette);
    expect(hasAlpha).toBe(true);
  });
});

describe('JPEG decoding', () => {
  it('decodes to opaque RGBA of the right size', () => {
    const w = 16, h = 8;
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([180, 60, 30, 255], 4 * i);
    const bytes = new Uint8Array(jpeg.encode({ width: w, height: h, data }, 95).data);
    const { image, format, hasAlpha } = decodeImageWithInfo(bytes);
    expect([image.width, image.height, format, hasAlpha]).toEqual([w, h, 'jpeg', false]);
    const p = px(image, 5, 5);
    expect(Math.abs(p[0] - 180)).toBeLessThan(6);
    expect(Math.abs(p[1] - 60)).toBeLessThan(6);
    expect(p[3]).toBe(255);
  });
});

describe('unreadable input', () => {
  it('names GIF as unsupported', () => {
    const gif = new TextEncoder().encode('GIF89a\x01\x00\x01\x00');
    expect(() => decodeImage(gif)).toThrow(/unsupported image format GIF/);
  });
  it('rejects arbitrary bytes and truncated PNGs with a readable message', () => {
    expect(() => decodeImage(new TextEncoder().encode('hello world'))).toThrow(/neither PNG nor JPEG/);
    const png = encodePng({ width: 4, height: 4, data: new Uint8Array(64) });
    expect(() => decodeImage(png.subarray(0, 30))).toThrow(/cannot decode PNG/);
    expect(() => decodeImage(new Uint8Array(0))).toThrow(/neither PNG nor JPEG/);
  });
});
