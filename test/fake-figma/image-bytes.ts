// Minimal encoded-file headers: the sandbox only ever looks at magic bytes and the PNG IHDR.
export function pngHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, 13);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12); // "IHDR"
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24); // 8-bit RGBA
  return bytes;
}

export function jpegHeader(): Uint8Array {
  return new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
}

export function gifHeader(): Uint8Array {
  return new TextEncoder().encode('GIF89a\x01\x00\x01\x00');
}

export function webpHeader(): Uint8Array {
  return new TextEncoder().encode('RIFF\x00\x00\x00\x00WEBPVP8 ');
}
