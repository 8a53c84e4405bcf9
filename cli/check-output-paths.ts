// Everything about an output path that can go wrong, checked before any work, so that a bad name
// costs no model run and nothing the command reads is ever replaced: the checks follow symbolic
// links (a link is judged by the file it points to, and that file is what gets replaced), then
// compare the target with every file and folder the command reads.
import { accessSync, constants, existsSync, lstatSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, extname, resolve, sep } from 'node:path';
import { UsageError } from './args';
import { realPathOf, sameFile } from './files';

/** What the command reads: an output may be none of these files and lie inside none of these folders. */
export interface ReadPaths {
  files: Array<{ path: string; what: string }>;
  folders: Array<{ path: string; what: string }>;
}

export interface OutputFile {
  /** How the user named it, for messages: `-o`, `--json`. */
  flag: string;
  path: string;
  /** Required ending (lower case, e.g. `.png`) and what it means, when the bytes have a format. */
  ext?: { ending: string; kind: string };
}

/** Linux allows 255 bytes per name and 4096 per path; a longer one fails only when written. */
const NAME_MAX = 255;
const PATH_MAX = 4095;
/** Linux follows at most 40 links in one lookup. */
const MAX_LINKS = 40;

/** Checks `out` against `reads`; returns the path to write: `out.path` with symbolic links followed. */
export function checkOutputFile(out: OutputFile, reads: ReadPaths): string {
  const { flag, path } = out;
  if (path.endsWith('/') || path.endsWith(sep)) {
    throw new UsageError(`${flag} ${path} ends in "/", so it names a folder: give a file name`);
  }
  if (out.ext && extname(path).toLowerCase() !== out.ext.ending) {
    throw new UsageError(`${flag} ${path}: the output is ${out.ext.kind}, so its name must end in ${out.ext.ending}`);
  }
  checkNameLengths(flag, path);
  const target = followLinks(flag, path);
  const via = target === resolve(path) ? '' : ` (a symbolic link to ${target})`;
  for (const input of reads.files) {
    if (sameFile(target, input.path)) {
      throw new Error(
        `${flag} ${path}${via} is the same file as the ${input.what} ${input.path}: refusing to overwrite it; choose another output name`,
      );
    }
  }
  for (const folder of reads.folders) {
    if (isInside(target, folder.path)) {
      throw new Error(
        `${flag} ${path}${via} lies inside the ${folder.what} folder ${folder.path}, which this command reads: choose a place of its own`,
      );
    }
  }
  checkWritable(flag, path, target, via);
  return target;
}

function isInside(file: string, folder: string): boolean {
  const f = realPathOf(file);
  const d = realPathOf(folder);
  return f.startsWith(d.endsWith(sep) ? d : d + sep);
}

function checkNameLengths(flag: string, path: string): void {
  const full = resolve(path);
  if (Buffer.byteLength(full) > PATH_MAX) {
    throw new UsageError(`${flag}: the path is ${Buffer.byteLength(full)} bytes long, over the ${PATH_MAX} allowed`);
  }
  for (const part of full.split(sep)) {
    const n = Buffer.byteLength(part);
    if (n > NAME_MAX) {
      const shown = part.length > 40 ? `${part.slice(0, 20)}…${part.slice(-12)}` : part;
      throw new UsageError(
        `${flag}: the name "${shown}" is ${n} bytes long, over the ${NAME_MAX} a file system allows: choose a shorter name`,
      );
    }
  }
}

/** The file a path finally names, through any chain of symbolic links; the path itself when it is none. */
function followLinks(flag: string, path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let stat: Stats;
    try {
      stat = lstatSync(current);
    } catch {
      // Nothing there (yet): a new file; a dangling link's target is checked by checkWritable.
      return current;
    }
    if (!stat.isSymbolicLink()) return current;
    current = resolve(dirname(current), readlinkSync(current));
    checkNameLengths(flag, current);
  }
  throw new Error(`${flag} ${path} is a symbolic link that loops (more than ${MAX_LINKS} links)`);
}

function checkWritable(flag: string, path: string, target: string, via: string): void {
  let stat: Stats | undefined;
  try {
    stat = statSync(target);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) throw new Error(`${flag} ${path}${via} is a directory; give a file name`);
  // Replacing is a rename over the old entry: over a device or a pipe that would swap the node
  // itself, not send it the bytes.
  if (stat && !stat.isFile()) throw new Error(`${flag} ${path}${via} is not a regular file: refusing to replace it`);
  if (stat) {
    // The rename would replace a read-only file too; its mode says the user wants it kept.
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new Error(`cannot write ${path}${via}: the file is read-only (permission denied)`);
    }
  }
  let dir = dirname(target);
  if (via && !existsSync(dir)) {
    throw new Error(`${flag} ${path} is a symbolic link to ${target}, whose folder ${dir} does not exist`);
  }
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new Error(`cannot write ${path}: ${dir} is a file, not a folder`);
  try {
    // The new file is made beside the old one and renamed over it: the folder must take new entries.
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new Error(`cannot write ${path}: the folder ${dir} is not writable`);
  }
}
