// File access for the CLI, turning Node's errors into one-line messages a user can act on.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { accessSync, constants, existsSync, realpathSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { decodeImageWithInfo, type DecodedImage } from '../core/image-codecs';
import { errorMessage } from '../core/errors';
import { UsageError } from './args';

export async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${what} not found: ${path}`);
    if (code === 'EISDIR') throw new Error(`${what} is a directory, not a file: ${path}`);
    if (code === 'EACCES') throw new Error(`${what} is not readable (permission denied): ${path}`);
    throw new Error(`cannot read ${what} ${path}: ${errorMessage(err)}`);
  }
}

export async function readImageFile(path: string, what = 'image'): Promise<DecodedImage> {
  const bytes = await readBytes(path, what);
  try {
    return decodeImageWithInfo(bytes);
  } catch (err) {
    throw new Error(`${what} ${path}: ${errorMessage(err)}`);
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
    throw new Error(`cannot write ${path}: ${errorMessage(err)}`);
  }
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

/**
 * Everything about the output file that can go wrong, checked before the model runs so a bad
 * `-o` costs no time and never replaces a file the command reads: the name must end in `.png`
 * (the bytes written are PNG), it must not be any of `inputs` under another spelling, and it must
 * be writable (an existing directory, a parent that is a file, or a read-only folder fail here).
 */
export function checkOutputFile(path: string, inputs: Array<{ path: string; what: string }>): void {
  if (extname(path).toLowerCase() !== '.png') {
    throw new UsageError(`-o ${path}: the output is a PNG image, so its name must end in .png`);
  }
  for (const input of inputs) {
    if (sameFile(path, input.path)) {
      throw new Error(
        `-o ${path} is the same file as the ${input.what} ${input.path}: refusing to overwrite it; choose another output name`,
      );
    }
  }
  let stat: Stats | undefined;
  try {
    stat = statSync(path);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) throw new Error(`-o ${path} is a directory; give a file name ending in .png`);
  if (stat) {
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw new Error(`cannot write ${path}: permission denied`);
    }
    return;
  }
  let dir = dirname(resolve(path));
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new Error(`cannot write ${path}: ${dir} is a file, not a folder`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new Error(`cannot write ${path}: the folder ${dir} is not writable`);
  }
}
