// A photo on the playground's "canvas": what Figma would hold as an image fill (the encoded bytes
// and their hash) plus the prompts drawn over it.
import type { Prompt } from '../core/prompt-types';

export interface PlaygroundImage {
  name: string;
  bytes: Uint8Array;
  bitmap: ImageBitmap;
  width: number;
  height: number;
  hash: string;
  prompts: Prompt[];
  /** An object URL of the file, for the thumbnail. */
  url: string;
}

export async function loadPlaygroundImage(name: string, data: Uint8Array | ArrayBuffer): Promise<PlaygroundImage> {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
  const bitmap = await createImageBitmap(blob);
  return {
    name,
    bytes,
    bitmap,
    width: bitmap.width,
    height: bitmap.height,
    hash: await imageHash(bytes),
    prompts: [],
    url: URL.createObjectURL(blob),
  };
}

/** Figma names an image by a hash of its bytes; the UI only needs it to tell images apart. */
async function imageHash(bytes: Uint8Array): Promise<string> {
  // crypto.subtle exists only in a secure context: not when the page is opened by a LAN address.
  if (crypto.subtle) {
    const digest = await crypto.subtle.digest('SHA-1', bytes as Uint8Array<ArrayBuffer>);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  let h = 2166136261;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619);
  return (h >>> 0).toString(16);
}
