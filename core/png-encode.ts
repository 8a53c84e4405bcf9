// PNG encoding of 8-bit grey or RGBA pixels: the rows, each behind a "no filter" byte, deflated at
// zlib's fastest level, in IHDR / IDAT / IEND. The same bytes fast-png writes for these images,
// written in one pass into one buffer: fast-png grows its buffers by doubling and writes byte by
// byte, which cost Apply's PNG a third of its time in the panel (bench/RESULTS.md).
import { zlibSync } from 'fflate';
import type { Scratch } from './scratch';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/**
 * Deflate's fastest level: on a 1000x1000 cut-out it encodes in about a third of the default
 * level's time for 1% more bytes, and Apply waits for this encode when it is clicked at once.
 */
const DEFLATE_LEVEL = 1;
const COLOUR_TYPE = { 1: 0, 4: 6 } as const;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * `data`: width*height*channels bytes, row-major (its callers in core/image-codecs.ts check the
 * length). The unfiltered rows come from `scratch` when given (core/scratch.ts); the PNG returned
 * is a new array.
 */
export function encodePngPixels(
  data: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 4,
  scratch?: Scratch,
): Uint8Array {
  const rowBytes = width * channels;
  const rawLength = (rowBytes + 1) * height;
  const raw = scratch ? scratch.uint8('png-rows', rawLength) : new Uint8Array(rawLength);
  for (let y = 0; y < height; y++) {
    const at = y * (rowBytes + 1);
    raw[at] = 0;
    raw.set(data.subarray(y * rowBytes, (y + 1) * rowBytes), at + 1);
  }
  const idat = zlibSync(raw, { level: DEFLATE_LEVEL });

  const png = new Uint8Array(SIGNATURE.length + (12 + 13) + (12 + idat.length) + 12);
  const view = new DataView(png.buffer);
  png.set(SIGNATURE);
  let at = SIGNATURE.length;
  const chunk = (type: string, length: number, fill: (start: number) => void) => {
    view.setUint32(at, length);
    for (let k = 0; k < 4; k++) png[at + 4 + k] = type.charCodeAt(k);
    fill(at + 8);
    view.setUint32(at + 8 + length, crc32(png, at + 4, at + 8 + length));
    at += 12 + length;
  };
  chunk('IHDR', 13, (start) => {
    view.setUint32(start, width);
    view.setUint32(start + 4, height);
    png[start + 8] = 8; // bits per sample
    png[start + 9] = COLOUR_TYPE[channels];
    // Deflate, adaptive filtering (the method; every row says "none"), no interlace: zeros.
  });
  chunk('IDAT', idat.length, (start) => png.set(idat, start));
  chunk('IEND', 0, () => {});
  return png;
}
