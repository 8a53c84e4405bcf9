// File access for the CLI, turning Node's errors into one-line messages a user can act on.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeImageWithInfo, type DecodedImage } from '../core/image-codecs';

export async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${what} not found: ${path}`);
    if (code === 'EISDIR') throw new Error(`${what} is a directory, not a file: ${path}`);
    if (code === 'EACCES') throw new Error(`${what} is not readable (permission denied): ${path}`);
    throw new Error(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

export async function readImageFile(path: string, what = 'image'): Promise<DecodedImage> {
  const bytes = await readBytes(path, what);
  try {
    return decodeImageWithInfo(bytes);
  } catch (err) {
    throw new Error(`${what} ${path}: ${(err as Error).message}`);
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

export async function writeBytes(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await ensureDir(dirname(path));
    await writeFile(path, bytes);
  } catch (err) {
    throw new Error(`cannot write ${path}: ${(err as Error).message}`);
  }
}
