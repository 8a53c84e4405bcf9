// Width and height from a PNG's IHDR chunk, so a result can be checked against createImage's
// 4096 px limit without decoding it (the sandbox has no image decoder).
import { sniffImageFormat } from '../../core/image-format';

export function readPngSize(bytes: Uint8Array): { width: number; height: number } | null {
  // Signature (8) + chunk length (4) + "IHDR" (4) + width (4) + height (4).
  if (sniffImageFormat(bytes) !== 'png' || bytes.length < 24) return null;
  const isIhdr = bytes[12] === 0x49 && bytes[13] === 0x48 && bytes[14] === 0x44 && bytes[15] === 0x52;
  if (!isIhdr) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
