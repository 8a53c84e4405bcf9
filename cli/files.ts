// File access for the CLI, turning Node's errors into one-line messages a user can act on. Reads
// are bounded (cli/read-input-file.ts), writes atomic (cli/write-file-atomically.ts).
import { mkdir } from 'node:fs/promises';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { decodeImageWithInfo, type DecodedImage } from '../core/image-codecs';
import { sniffImageFormat } from '../core/image-format';
import { errorMessage, InputFileError } from '../core/errors';
import { readInputFile } from './read-input-file';
import { writeFileAtomically } from './write-file-atomically';

/**
 * The largest PNG or JPEG the CLI reads: a 64-megapixel image (the decoder's limit) stored as
 * uncompressed 16-bit RGBA is 512 MB; anything bigger cannot be an image the command can use.
 */
export const MAX_IMAGE_FILE_BYTES = 600 * 1024 * 1024;

/** Why the first bytes are not a PNG or JPEG, or null when they are one. */
function notAnImage(head: Uint8Array): string | null {
  const format = sniffImageFormat(head);
  if (format === 'png' || format === 'jpeg') return null;
  if (format === 'gif' || format === 'webp')
    return `unsupported image format ${format.toUpperCase()}: only PNG and JPEG can be read`;
  return 'unreadable image: the bytes are neither PNG nor JPEG';
}

/** The bytes of an image file, refused from its first bytes and its size before it is read whole. */
export async function readBytes(path: string, what: string): Promise<Uint8Array> {
  return readInputFile(path, what, { maxBytes: MAX_IMAGE_FILE_BYTES, sniff: notAnImage, sniffBytes: 16 });
}

export async function readImageFile(path: string, what = 'image'): Promise<DecodedImage> {
  const bytes = await readBytes(path, what);
  try {
    return decodeImageWithInfo(bytes);
  } catch (err) {
    throw new InputFileError(`${what} ${path}: ${errorMessage(err)}`);
  }
}

/**
 * Creates missing parent folders one level at a time: Node's `mkdir({recursive: true})` can spin
 * forever under /proc-like trees where mkdir answers ENOENT for a parent that exists.
 */
export async function ensureDir(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    if (dirname(d) === d) break;
    missing.unshift(d);
  }
  for (const d of missing) await mkdir(d);
}

/** Writes `bytes` to `path` atomically, creating missing folders; `path` was checked by check-output-paths. */
export async function writeBytes(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await ensureDir(dirname(path));
  } catch (err) {
    throw new Error(`cannot create the folder for ${path}: ${errorMessage(err)}`);
  }
  await writeFileAtomically(path, bytes);
}

/** True when both paths name the same existing file, however spelled: relative, `..`, symlinks, hard links. */
export function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** Canonical absolute path of something that may not exist yet: its nearest existing ancestor's real path plus the rest. */
export function realPathOf(path: string): string {
  let head = resolve(path);
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail);
    } catch {
      const up = dirname(head);
      if (up === head) return join(head, ...tail);
      tail.unshift(basename(head));
      head = up;
    }
  }
}

/** True when one folder is the other or lies inside it, after resolving symlinks and `..`. */
export function foldersOverlap(a: string, b: string): boolean {
  const ra = realPathOf(a);
  const rb = realPathOf(b);
  const inside = (x: string, y: string) => {
    const r = relative(y, x);
    return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
  };
  return inside(ra, rb) || inside(rb, ra);
}
