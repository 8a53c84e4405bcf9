// Image bytes <-> RgbaImage. PNG goes through fast-png and JPEG through jpeg-js because both are
// pure JS: they run unchanged in Node, in the plugin iframe and in workers, and fast-png writes
// straight alpha exactly (a canvas would premultiply and destroy colour at low alpha).
import { decode as decodePngBytes } from 'fast-png';
import type { DecodedPng } from 'fast-png';
import jpeg from 'jpeg-js';
import type { RgbaImage } from './rgba-image';
import { sniffImageFormat, type ImageFormat } from './image-format';
import { alphaToByte } from './alpha-to-byte';
import { errorMessage } from './errors';
import { encodePngPixels } from './png-encode';
import type { Scratch } from './scratch';

export interface DecodedImage {
  image: RgbaImage;
  format: ImageFormat;
  /** True when the file itself carried alpha (an alpha channel or tRNS); masks read their alpha then. */
  hasAlpha: boolean;
  /**
   * The JPEG's EXIF orientation (1..8, 1 = none), already applied to `image`: the pixels are as a
   * viewer shows them, so prompts drawn on the displayed photo land where they were drawn.
   */
  orientation: ExifOrientation;
}

export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export interface ImageHeader {
  format: ImageFormat;
  /** Stored size, before any EXIF orientation. */
  width: number;
  height: number;
  orientation: ExifOrientation;
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this (checked from the header, before decoding). */
  maxPixels?: number;
}

/**
 * 64 megapixels covers 48 MP phones and 61 MP full-frame cameras. Above it the RGBA copy, the
 * float planes of post-processing and the PNG encoder together need several GB, and a small
 * file can claim a huge size (a 140 KB PNG can decode to 12000x12000 = 3 GB).
 */
export const MAX_IMAGE_PIXELS = 64_000_000;

/** Decodes PNG (any bit depth / colour type) or JPEG to 8-bit RGBA. Throws an Error with a readable message otherwise. */
export function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): RgbaImage {
  return decodeImageWithInfo(bytes, options).image;
}

export function decodeImageWithInfo(bytes: Uint8Array, options: DecodeOptions = {}): DecodedImage {
  // The header refuses other formats and gives the size, so an oversized image is refused before
  // any pixel buffer exists.
  const header = readImageHeader(bytes);
  const format = header.format;
  checkPixelCount(header.width, header.height, options.maxPixels ?? MAX_IMAGE_PIXELS);
  if (format === 'png') {
    let png: DecodedPng;
    try {
      png = decodePngBytes(bytes);
    } catch (err) {
      throw new Error(`cannot decode PNG: ${errorMessage(err)}`);
    }
    return { image: pngToRgba(png), format, hasAlpha: pngHasAlpha(png), orientation: 1 };
  }
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    // maxMemoryUsageInMB: jpeg-js defaults to 512 MB, too small for large camera photos.
    raw = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048, maxResolutionInMP: 200 });
  } catch (err) {
    throw new Error(`cannot decode JPEG: ${errorMessage(err)}`);
  }
  const stored: RgbaImage = {
    width: raw.width,
    height: raw.height,
    data: new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length),
  };
  return {
    image: applyExifOrientation(stored, header.orientation),
    format,
    hasAlpha: false,
    orientation: header.orientation,
  };
}

function checkPixelCount(width: number, height: number, maxPixels: number): void {
  if (width * height <= maxPixels) return;
  const mp = (n: number) => String(Number((n / 1e6).toPrecision(3)));
  throw new Error(
    `image is ${width}x${height} (${mp(width * height)} megapixels), over the ${mp(maxPixels)}-megapixel limit: scale it down first`,
  );
}

/**
 * Format, stored size and EXIF orientation from the first bytes of a PNG or JPEG, without
 * decoding pixels. Throws a readable Error for other or truncated files.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const format = sniffImageFormat(bytes);
  if (format === 'png') {
    // Signature, then the IHDR chunk: length (4), type (4), width (4), height (4).
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
      throw new Error('cannot decode PNG: truncated or missing IHDR header');
    }
    return { format, width: readU32(bytes, 16, false), height: readU32(bytes, 20, false), orientation: 1 };
  }
  if (format === 'jpeg') return readJpegHeader(bytes);
  if (format === 'gif' || format === 'webp') {
    throw new Error(`unsupported image format ${format.toUpperCase()}: only PNG and JPEG can be read`);
  }
  throw new Error('unreadable image: the bytes are neither PNG nor JPEG');
}

/** The size a viewer shows: EXIF orientations 5..8 turn the picture a quarter, swapping the sides. */
export function displaySize(header: ImageHeader): { width: number; height: number } {
  return header.orientation >= 5
    ? { width: header.height, height: header.width }
    : { width: header.width, height: header.height };
}

function readU16(b: Uint8Array, at: number, little: boolean): number {
  return little ? b[at] | (b[at + 1] << 8) : (b[at] << 8) | b[at + 1];
}

function readU32(b: Uint8Array, at: number, little: boolean): number {
  return little
    ? (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000
    : b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

/** Walks the JPEG marker segments up to the frame header (SOFn), picking up EXIF on the way. */
function readJpegHeader(b: Uint8Array): ImageHeader {
  let orientation: ExifOrientation = 1;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) throw new Error('cannot decode JPEG: corrupt marker before the frame header');
    const marker = b[i + 1];
    // Fill bytes and markers without a length field.
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break;
    const len = readU16(b, i + 2, false);
    const end = i + 2 + len;
    if (len < 2 || end > b.length) break;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame && len >= 7) {
      return { format: 'jpeg', height: readU16(b, i + 5, false), width: readU16(b, i + 7, false), orientation };
    }
    if (marker === 0xe1 && len >= 16 && String.fromCharCode(...b.subarray(i + 4, i + 10)) === 'Exif\0\0') {
      orientation = exifOrientation(b, i + 10, end);
    }
    i = end;
  }
  throw new Error('cannot decode JPEG: no frame header (truncated file?)');
}

/**
 * The Orientation tag (0x0112) of IFD0 in the TIFF structure at b[start..end). A damaged or
 * unusual EXIF block means "no orientation" rather than an unreadable photo.
 */
function exifOrientation(b: Uint8Array, start: number, end: number): ExifOrientation {
  const order = String.fromCharCode(b[start], b[start + 1]);
  if (order !== 'II' && order !== 'MM') return 1;
  const little = order === 'II';
  if (readU16(b, start + 2, little) !== 42) return 1;
  const ifd = start + readU32(b, start + 4, little);
  if (ifd + 2 > end) return 1;
  const count = readU16(b, ifd, little);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + 12 * k;
    if (entry + 12 > end) return 1;
    if (readU16(b, entry, little) !== 0x0112) continue;
    // SHORT, count 1: the value sits in the first two bytes of the value field.
    const value = readU16(b, entry + 8, little);
    return value >= 1 && value <= 8 ? (value as ExifOrientation) : 1;
  }
  return 1;
}

/**
 * Stored pixels -> the upright image a viewer shows, per the EXIF/TIFF Orientation values:
 * 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90
 * counter-clockwise. 5..8 swap width and height.
 */
export function applyExifOrientation(image: RgbaImage, orientation: ExifOrientation): RgbaImage {
  if (orientation === 1) return image;
  const { width: w, height: h } = image;
  const swap = orientation >= 5;
  const dw = swap ? h : w;
  const dh = swap ? w : h;
  // One 32-bit word per RGBA pixel; a Uint32Array view needs a 4-byte aligned offset.
  const bytes = image.data.byteOffset % 4 === 0 ? image.data : image.data.slice();
  const src = new Uint32Array(bytes.buffer, bytes.byteOffset, w * h);
  const outBytes = new Uint8Array(dw * dh * 4);
  const out = new Uint32Array(outBytes.buffer);
  // For each display pixel (x, y): the stored pixel (sx, sy) that shows there.
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      let sx: number, sy: number;
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          sy = y;
          break;
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;
        case 4:
          sx = x;
          sy = h - 1 - y;
          break;
        case 5:
          sx = y;
          sy = x;
          break;
        case 6:
          sx = y;
          sy = h - 1 - x;
          break;
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;
        default:
          sx = w - 1 - y;
          sy = x;
          break; // 8
      }
      out[y * dw + x] = src[sy * w + sx];
    }
  }
  return { width: dw, height: dh, data: outBytes };
}

/**
 * RGBA PNG, 8 bits per channel, straight alpha: exactly the bytes given, nothing premultiplied.
 * With `scratch` (core/scratch.ts) the rows on their way to deflate reuse its pages.
 */
export function encodePng(image: RgbaImage, scratch?: Scratch): Uint8Array {
  if (image.data.length !== image.width * image.height * 4) {
    throw new Error(`encodePng: expected ${image.width * image.height * 4} bytes of RGBA, got ${image.data.length}`);
  }
  return encodePngPixels(image.data, image.width, image.height, 4, scratch);
}

/** Single-channel 8-bit grey PNG of an alpha plane in [0,1]: a quarter of the RGBA size, for saved mattes. */
export function encodeGreyPng(alpha: Float32Array, width: number, height: number): Uint8Array {
  if (alpha.length !== width * height)
    throw new Error(`encodeGreyPng: expected ${width * height} values, got ${alpha.length}`);
  const data = new Uint8Array(alpha.length);
  for (let i = 0; i < data.length; i++) data[i] = alphaToByte(alpha[i]);
  return encodePngPixels(data, width, height, 1);
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
  const key =
    png.transparency && png.transparency.length > 0 && (channels === 1 || channels === 3) ? png.transparency : null;
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
      const isKey =
        channels === 1 ? raw[s] === key[0] : raw[s] === key[0] && raw[s + 1] === key[1] && raw[s + 2] === key[2];
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
