// Decide by magic bytes, not by name or paint: Figma stores the original upload, and animated GIFs
// arrive as ordinary IMAGE paints.
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'unknown';

export function detectImageFormat(bytes: Uint8Array): ImageFormat {
  const starts = (...sig: number[]) => bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'gif'; // "GIF8" (GIF87a / GIF89a)
  return 'unknown';
}
