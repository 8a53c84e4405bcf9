// Image bytes <-> RgbaImage. PNG goes through fast-png and JPEG through jpeg-js because both are
// pure JS: they run unchanged in Node, in the plugin iframe and in workers, and fast-png writes
// straight alpha exactly (a canvas would premultiply and destroy colour at low alpha).
import { decode as decodePngBytes, encode as encodePngBytes } from 'fast-png';
import type { DecodedPng } from 'fast-png';
import jpeg from 'jpeg-js';
import type { RgbaImage } from './rgba-image';

export type ImageFormat = 'png' | 'jpeg';

export interface DecodedImage {
  image: RgbaImage;
  format: ImageFormat;
  /** True when the file itself carried alpha (an alpha channel or tRNS); masks read their alpha then. */
  hasAlpha: boolean;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | 'gif' | 'webp' | 'unknown' {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 4)) === 'GIF8') return 'gif';
  if (bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' &&
    String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'webp';
  return 'unknown';
}

/** Decodes PNG (any bit depth / colour type) or JPEG to 8-bit RGBA. Throws an Error with a readable message otherwise. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  return decodeImageWithInfo(bytes).image;
}

export function decodeImageWithInfo(bytes: Uint8Array): DecodedImage {
  const format = sniffImageFormat(bytes);
  if (format === 'png') {
    let png: DecodedPng;
    try {
      png = decodePngBytes(bytes);
    } catch (err) {
      throw new Error(`cannot decode PNG: ${(err as Error).message}`);
    }
    return { image: pngToRgba(png), format, hasAlpha: pngHasAlpha(png) };
  }
  if (format === 'jpeg') {
    let raw: { width: number; height: number; data: Uint8Array };
    try {
      // maxMemoryUsageInMB: jpeg-js defaults to 512 MB, too small for large camera photos.
      raw = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048, maxResolutionInMP: 200 });
    } catch (err) {
      throw new Error(`cannot decode JPEG: ${(err as Error).message}`);
    }
    return { image: { width: raw.width, height: raw.height, data: new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length) }, format, hasAlpha: false };
  }
  if (format === 'gif' || format === 'webp') {
    throw new Error(`unsupported image format ${format.toUpperCase()}: only PNG and JPEG can be read`);
  }
  throw new Error('unreadable image: the bytes are neither PNG nor JPEG');
}

/** RGBA PNG, 8 bits per channel, straight alpha: exactly the bytes given, nothing premultiplied. */
export function encodePng(image: RgbaImage): Uint8Array {
  if (image.data.length !== image.width * image.height * 4) {
    throw new Error(`encodePng: expected ${image.width * image.height * 4} bytes of RGBA, got ${image.data.length}`);
  }
  return encodePngBytes({ width: image.width, height: image.height, data: image.data, depth: 8, channels: 4 });
}

/** Single-channel 8-bit grey PNG of an alpha plane in [0,1]: a quarter of the RGBA size, for saved mattes. */
export function encodeGreyPng(alpha: Float32Array, width: number, height: number): Uint8Array {
  if (alpha.length !== width * height) throw new Error(`encodeGreyPng: expected ${width * height} values, got ${alpha.length}`);
  const data = new Uint8Array(alpha.length);
  for (let i = 0; i < data.length; i++) data[i] = alpha[i] > 0 ? (alpha[i] < 1 ? Math.round(alpha[i] * 255) : 255) : 0;
  return encodePngBytes({ width, height, data, depth: 8, channels: 1 });
}

function pngHasAlpha(png: DecodedPng): boolean {
  if (png.channels === 2 || png.channels === 4) return true;
  if (png.palette) return png.palette.some((entry) => entry.length === 4 && entry[3] !== 255);
  return png.transparency !== undefined && png.transparency.length > 0;
}

function pngToRgba(png: DecodedPng): RgbaImage {
  const { width, height, depth, channels } = png;
  const out = new Uint8Array(width * height * 4);
  if (png.palette) {
    // Palette data stays packed at 1/2/4 bits per index in fast-png; unpack row by row.
    const palette = png.palette;
    const samples = unpackSamples(png.data as Uint8Array, width, height, depth, 1);
    for (let i = 0; i < width * height; i++) {
      const entry = palette[samples[i]];
      if (!entry) throw new Error(`cannot decode PNG: palette index ${samples[i]} out of range`);
      out[4 * i] = entry[0];
      out[4 * i + 1] = entry[1];
      out[4 * i + 2] = entry[2];
      out[4 * i + 3] = entry.length > 3 ? entry[3] : 255;
    }
    return { width, height, data: out };
  }
  const raw = depth < 8 ? unpackSamples(png.data as Uint8Array, width, height, depth, channels) : png.data;
  const maxValue = (1 << depth) - 1;
  const to8 = depth === 8 ? (v: number) => v : (v: number) => Math.round((v * 255) / maxValue);
  // tRNS on grey/RGB images names one colour (in raw sample units) that is fully transparent.
  const key = png.transparency && png.transparency.length > 0 && (channels === 1 || channels === 3) ? png.transparency : null;
  for (let i = 0; i < width * height; i++) {
    const s = i * channels;
    let r: number, g: number, b: number, a: number;
    if (channels === 1 || channels === 2) {
      r = g = b = to8(raw[s]);
      a = channels === 2 ? to8(raw[s + 1]) : 255;
    } else {
      r = to8(raw[s]);
      g = to8(raw[s + 1]);
      b = to8(raw[s + 2]);
      a = channels === 4 ? to8(raw[s + 3]) : 255;
    }
    if (key) {
      const isKey = channels === 1 ? raw[s] === key[0] : raw[s] === key[0] && raw[s + 1] === key[1] && raw[s + 2] === key[2];
      if (isKey) a = 0;
    }
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = a;
  }
  return { width, height, data: out };
}

/** Sub-byte samples are packed MSB first, each row starting on a fresh byte. */
function unpackSamples(data: Uint8Array, width: number, height: number, depth: number, channels: number): Uint8Array {
  if (depth === 8) return data;
  const perRow = width * channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const out = new Uint8Array(perRow * height);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    for (let x = 0; x < perRow; x++) {
      const bit = x * depth;
      const byte = data[row + (bit >> 3)];
      out[y * perRow + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}
