import { describe, expect, it } from 'vitest';
import { encode as fastPngEncode } from 'fast-png';
import jpeg from 'jpeg-js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import {
  decodeImage,
  decodeImageWithInfo,
  encodeGreyPng,
  encodePng,
  MAX_IMAGE_PIXELS,
  readImageHeader,
} from '../core/image-codecs';

const px = (img: { width: number; data: Uint8Array }, x: number, y: number) =>
  Array.from(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 4));

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
      [0, 0, 0, 255],
      [128, 128, 128, 255],
      [255, 255, 255, 255],
      [255, 255, 255, 255],
    ]);
  });
});

describe('PNG decoding of every colour type', () => {
  /** A PNG written by fast-png, an encoder other than ours, with the given bit depth and channel count. */
  const foreignPng = (
    width: number,
    height: number,
    depth: 1 | 4 | 8 | 16,
    channels: number,
    data: Uint8Array | Uint16Array,
    palette?: number[][],
  ) => fastPngEncode({ width, height, depth, channels, data, palette });

  it('16-bit RGBA is reduced to 8 bits', () => {
    const bytes = foreignPng(1, 1, 16, 4, Uint16Array.from([65535, 0, 32896, 771]));
    const { image, hasAlpha } = decodeImageWithInfo(bytes);
    expect(px(image, 0, 0)).toEqual([255, 0, 128, 3]);
    expect(hasAlpha).toBe(true);
  });

  it('8-bit grey and grey+alpha', () => {
    const g = decodeImageWithInfo(foreignPng(2, 1, 8, 1, Uint8Array.from([7, 250])));
    expect(px(g.image, 0, 0)).toEqual([7, 7, 7, 255]);
    expect(px(g.image, 1, 0)).toEqual([250, 250, 250, 255]);
    expect(g.hasAlpha).toBe(false);
    const ga = decodeImage(foreignPng(1, 1, 8, 2, Uint8Array.from([90, 40])));
    expect(px(ga, 0, 0)).toEqual([90, 90, 90, 40]);
  });

  it('1-bit grey with rows that do not end on a byte', () => {
    // 3 pixels per row, packed MSB first: row 0 = 1,0,1; row 1 = 0,1,0.
    const bytes = foreignPng(3, 2, 1, 1, Uint8Array.from([0b10100000, 0b01000000]));
    const img = decodeImage(bytes);
    expect([0, 1, 2].map((x) => px(img, x, 0)[0])).toEqual([255, 0, 255]);
    expect([0, 1, 2].map((x) => px(img, x, 1)[0])).toEqual([0, 255, 0]);
  });

  it('RGB', () => {
    const img = decodeImage(foreignPng(1, 1, 8, 3, Uint8Array.from([1, 2, 3])));
    expect(px(img, 0, 0)).toEqual([1, 2, 3, 255]);
  });

  it('palette with transparency, 4 bits per index', () => {
    // Translucent entry first: fast-png's encoder writes tRNS for non-opaque entries only, which
    // is only right when they lead the palette.
    const palette = [
      [0, 255, 0, 10],
      [255, 0, 0, 255],
      [0, 0, 255, 255],
    ];
    const bytes = foreignPng(3, 1, 4, 1, Uint8Array.from([0x01, 0x20]), palette);
    const { image, hasAlpha } = decodeImageWithInfo(bytes);
    expect([px(image, 0, 0), px(image, 1, 0), px(image, 2, 0)]).toEqual(palette);
    expect(hasAlpha).toBe(true);
  });
});

describe('JPEG decoding', () => {
  it('decodes to opaque RGBA of the right size', () => {
    const w = 16,
      h = 8;
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

// A real photo for the orientation tests: a 96x64 crop of examples/coffee.png, asymmetric in
// every direction, so each of the eight orientations gives a different picture.
function photoCrop(): { width: number; height: number; data: Uint8Array } {
  const src = decodeImage(new Uint8Array(readFileSync(resolve(__dirname, '..', 'examples', 'coffee.png'))));
  const w = 96,
    h = 64,
    x0 = 200,
    y0 = 120;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    data.set(src.data.subarray(4 * ((y0 + y) * src.width + x0), 4 * ((y0 + y) * src.width + x0 + w)), 4 * y * w);
  return { width: w, height: h, data };
}

// Elementary moves on RGBA images, written independently of the decoder's table.
type Img = { width: number; height: number; data: Uint8Array };
function mapPixels(img: Img, width: number, height: number, from: (x: number, y: number) => [number, number]): Img {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [sx, sy] = from(x, y);
      data.set(img.data.subarray(4 * (sy * img.width + sx), 4 * (sy * img.width + sx) + 4), 4 * (y * width + x));
    }
  return { width, height, data };
}
const mirror = (i: Img) => mapPixels(i, i.width, i.height, (x, y) => [i.width - 1 - x, y]);
/** Turned a quarter clockwise: the left column becomes the top row. */
const turnCw = (i: Img) => mapPixels(i, i.height, i.width, (x, y) => [y, i.height - 1 - x]);
const turnCcw = (i: Img) => turnCw(turnCw(turnCw(i)));

// How a camera stores an upright picture for each tag (EXIF 2.3, Orientation): the tag says how to
// turn the stored pixels to show them, so storing applies the inverse.
//   2 = mirrored; 3 = turned 180; 4 = flipped top-bottom; 5 = transposed (mirror, then turn clockwise);
//   6 = turned clockwise to show; 7 = transversed (mirror, then turn counter-clockwise); 8 = turned
//   counter-clockwise to show. (The decoder was also checked once against Pillow's exif_transpose.)
const storedFor: Record<number, (upright: Img) => Img> = {
  1: (i) => i,
  2: (i) => mirror(i),
  3: (i) => turnCw(turnCw(i)),
  4: (i) => mirror(turnCw(turnCw(i))),
  5: (i) => mirror(turnCw(i)),
  6: (i) => turnCcw(i),
  7: (i) => mirror(turnCcw(i)),
  8: (i) => turnCw(i),
};

/** An APP1 Exif segment whose IFD0 holds only the Orientation tag, in either byte order. */
function exifSegment(orientation: number, little: boolean): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const v = new DataView(tiff.buffer);
  tiff.set(little ? [0x49, 0x49] : [0x4d, 0x4d]);
  v.setUint16(2, 42, little);
  v.setUint32(4, 8, little);
  v.setUint16(8, 1, little);
  v.setUint16(10, 0x0112, little);
  v.setUint16(12, 3, little); // SHORT
  v.setUint32(14, 1, little);
  v.setUint16(18, orientation, little);
  const body = [...new TextEncoder().encode('Exif\0\0'), ...tiff];
  const len = body.length + 2;
  return Uint8Array.from([0xff, 0xe1, len >> 8, len & 0xff, ...body]);
}

function withExif(jpegBytes: Uint8Array, segment: Uint8Array): Uint8Array {
  return Uint8Array.from([...jpegBytes.subarray(0, 2), ...segment, ...jpegBytes.subarray(2)]);
}

function meanAbsDiff(a: Img, b: Img): number {
  let s = 0,
    n = 0;
  for (let i = 0; i < a.data.length; i++)
    if (i % 4 !== 3) {
      s += Math.abs(a.data[i] - b.data[i]);
      n++;
    }
  return s / n;
}

describe('JPEG EXIF orientation', () => {
  const upright = photoCrop();

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('orientation %i decodes to the upright photo', (o) => {
    const stored = storedFor[o](upright);
    const plain = new Uint8Array(jpeg.encode(stored, 95).data);
    for (const little of [false, true]) {
      const { image, orientation } = decodeImageWithInfo(withExif(plain, exifSegment(o, little)));
      expect([image.width, image.height]).toEqual([upright.width, upright.height]);
      // Within JPEG loss of the upright photo, and far from what ignoring the tag gives.
      expect(meanAbsDiff(image, upright)).toBeLessThan(3);
      if (o !== 1 && stored.width === upright.width) expect(meanAbsDiff(stored, upright)).toBeGreaterThan(15);
      expect(orientation).toBe(o);
    }
  });

  it('a damaged EXIF block leaves the photo as stored instead of failing', () => {
    const plain = new Uint8Array(jpeg.encode(upright, 95).data);
    const bad = exifSegment(6, false);
    bad[10] = 0x58; // byte order "XM"
    const { image, orientation } = decodeImageWithInfo(withExif(plain, bad));
    expect([image.width, image.height]).toEqual([96, 64]);
    expect(meanAbsDiff(image, upright)).toBeLessThan(3);
    expect(orientation).toBe(1);
  });
});

describe('pixel limit, checked from the header before decoding', () => {
  it('refuses a small PNG that would decode to 8200x8200', () => {
    // A real, valid 1-bit PNG: 8200 black rows compress to a few KB but would take 270 MB as RGBA.
    const w = 8200,
      h = 8200,
      rowBytes = 1 + Math.ceil(w / 8);
    const idat = deflateSync(new Uint8Array(rowBytes * h));
    const chunk = (type: string, body: Uint8Array) => {
      const out = new Uint8Array(12 + body.length);
      const v = new DataView(out.buffer);
      v.setUint32(0, body.length);
      out.set(new TextEncoder().encode(type), 4);
      out.set(body, 8);
      v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
      return out;
    };
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, w);
    new DataView(ihdr.buffer).setUint32(4, h);
    ihdr.set([1, 0, 0, 0, 0], 8); // depth 1, grey
    const png = Uint8Array.from([
      0x89,
      0x50,
      0x4e,
      0x47,
      0x0d,
      0x0a,
      0x1a,
      0x0a,
      ...chunk('IHDR', ihdr),
      ...chunk('IDAT', idat),
      ...chunk('IEND', new Uint8Array(0)),
    ]);
    expect(png.length).toBeLessThan(200_000);
    const t0 = performance.now();
    expect(() => decodeImage(png)).toThrow(/8200x8200 \(67\.2 megapixels\), over the 64-megapixel limit/);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(readImageHeader(png)).toMatchObject({ format: 'png', width: w, height: h });
    expect(MAX_IMAGE_PIXELS).toBe(64_000_000);
  });

  it('refuses a JPEG whose frame header claims 9000x9000, and honours a caller limit', () => {
    const small = new Uint8Array(
      jpeg.encode({ width: 16, height: 8, data: new Uint8Array(16 * 8 * 4).fill(128) }, 90).data,
    );
    expect(() => decodeImage(small, { maxPixels: 100 })).toThrow(
      /16x8 \(0\.000128 megapixels\), over the 0\.0001-megapixel limit/,
    );
    const big = small.slice();
    const sof = big.findIndex((b, i) => b === 0xff && big[i + 1] === 0xc0);
    new DataView(big.buffer).setUint16(sof + 5, 9000);
    new DataView(big.buffer).setUint16(sof + 7, 9000);
    expect(() => decodeImage(big)).toThrow(
      /9000x9000 \(81 megapixels\), over the 64-megapixel limit: scale it down first/,
    );
    expect(readImageHeader(small)).toMatchObject({ format: 'jpeg', width: 16, height: 8, orientation: 1 });
  });
});
