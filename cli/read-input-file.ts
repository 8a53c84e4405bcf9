// Reading a file the command was given, bounded: it must be a regular file (a FIFO, /dev/zero or
// a terminal would block or grow memory without end), no larger than `maxBytes` (checked from
// its size before reading), and, when `sniff` says so, the right kind of file judged from its
// first bytes (a 2 GB video named .png is refused without reading it). Every refusal is an
// InputFileError naming the file and what it was given as.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { errorMessage, InputFileError } from '../core/errors';

export interface ReadLimits {
  /** Refused above this many bytes, before any is read. */
  maxBytes: number;
  /** Judges the first `sniffBytes` bytes; returns why they are wrong, or null to go on. */
  sniff?: (head: Uint8Array) => string | null;
  sniffBytes?: number;
}

const mib = (n: number) => `${(n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0)} MiB`;

export function readInputFile(path: string, what: string, limits: ReadLimits): Uint8Array {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new InputFileError(openFailure(err, path, what));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputFileError(`${what} is a directory, not a file: ${path}`);
    if (!stat.isFile()) {
      throw new InputFileError(
        `${what} ${path} is not a regular file (${specialKind(stat)}): give a file saved on disk`,
      );
    }
    if (stat.size === 0) throw new InputFileError(`${what} ${path} is empty (0 bytes)`);
    if (limits.sniff) {
      const head = readAt(fd, Math.min(stat.size, limits.sniffBytes ?? 64), path, what);
      const wrong = limits.sniff(head);
      if (wrong) throw new InputFileError(`${what} ${path}: ${wrong}`);
    }
    if (stat.size > limits.maxBytes) {
      throw new InputFileError(
        `${what} ${path} is ${mib(stat.size)}, over the ${mib(limits.maxBytes)} this command reads`,
      );
    }
    return readAt(fd, stat.size, path, what);
  } finally {
    closeSync(fd);
  }
}

/** Exactly `length` bytes from the start; a file that shrinks under us is an error, not a short read. */
function readAt(fd: number, length: number, path: string, what: string): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  try {
    while (done < length) {
      const n = readSync(fd, out, done, length - done, done);
      if (n === 0) throw new Error(`the file ended after ${done} of ${length} bytes (changed while read?)`);
      done += n;
    }
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new InputFileError(`cannot read ${what} ${path}: ${errorMessage(err)}`);
  }
  return out;
}

function openFailure(err: unknown, path: string, what: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${what} not found: ${path}`;
  if (code === 'EACCES') return `${what} is not readable (permission denied): ${path}`;
  if (code === 'ELOOP') return `${what} ${path} is a symbolic link that loops`;
  if (code === 'ENAMETOOLONG') return `${what} ${path}: the name is too long`;
  return `cannot read ${what} ${path}: ${errorMessage(err)}`;
}

function specialKind(stat: ReturnType<typeof fstatSync>): string {
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a plain file';
}
