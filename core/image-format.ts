// What kind of image a byte string holds, by its magic bytes, not by name or paint: Figma stores
// the original upload, and animated GIFs arrive as ordinary IMAGE paints. Kept apart from the
// codecs so the sandbox can ask without bundling any decoder.

/** The formats the project can decode. */
export type ImageFormat = 'png' | 'jpeg';

/** What the bytes are, readable or not. */
export type SniffedImageFormat = ImageFormat | 'gif' | 'webp' | 'unknown';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffImageFormat(bytes: Uint8Array): SniffedImageFormat {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 4)) === 'GIF8') return 'gif';
  if (
    bytes.length >= 12 &&
    String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' &&
    String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP'
  )
    return 'webp';
  return 'unknown';
}
