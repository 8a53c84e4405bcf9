// Every file the CLI writes goes through here: the bytes go to a temporary file in the same folder,
// are flushed to disk, and the temporary file is renamed over the output in one step. An
// interrupt, a full disk or a crash therefore never leaves a truncated output and never destroys
// the file being replaced: the output is either the old file, whole, or the new one, whole.
// A SIGKILL or power loss can leave the hidden `.smat-*.tmp` file behind, never a damaged output;
// the next write into the folder removes it (cli/remove-stale-temp-files.ts).
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync, fchmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../core/errors';
import { onInterrupt } from './interrupts';
import { diskFullError, writeFault } from './fault-injection';
import { removeStaleTempFiles } from './remove-stale-temp-files';

/** Writes in pieces, so that a failure or a stall can happen part-way like a real disk's. */
const CHUNK = 1 << 20;

export async function writeFileAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await withTempFile(path, (fd) => writeAll(fd, bytes));
}

/**
 * The same, without yielding: for a signal handler, after which nothing asynchronous runs. No
 * fault injection here: an interrupted run's last write is not itself interrupted.
 */
export function writeFileAtomicallySync(path: string, bytes: Uint8Array): void {
  void withTempFile(path, (fd) => {
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
  });
}

/**
 * Opens the temporary file, lets `fill` write it, then flushes and renames it over `path`. Runs
 * synchronously up to `fill`'s first await, so a synchronous `fill` completes before it returns.
 */
function withTempFile(path: string, fill: (fd: number) => void | Promise<void>): Promise<void> | undefined {
  const dir = dirname(path);
  removeStaleTempFiles(dir);
  // Short and fixed-length: the output's own name may already be near the 255-byte limit.
  const temp = join(dir, `.smat-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  const removeTemp = () => {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {}
      fd = null;
    }
    try {
      unlinkSync(temp);
    } catch {}
  };
  const forget = onInterrupt(removeTemp);
  const fail = (err: unknown): never => {
    removeTemp();
    forget();
    throw new Error(`cannot write ${path}: ${explainWriteError(err)}${replacedNote(path)}`);
  };
  const finish = () => {
    try {
      fsyncSync(fd!);
      closeSync(fd!);
      fd = null;
      renameSync(temp, path);
    } catch (err) {
      fail(err);
    }
    forget();
    syncFolder(dir);
  };
  let filling: void | Promise<void>;
  try {
    fd = openSync(temp, 'wx', 0o644);
    keepModeOf(path, fd);
    filling = fill(fd);
  } catch (err) {
    return fail(err);
  }
  if (!(filling instanceof Promise)) {
    finish();
    return undefined;
  }
  return filling.then(finish, fail);
}

async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  const fault = writeFault();
  for (let done = 0; done < bytes.length; ) {
    if (fault && done >= fault.afterBytes) {
      if (fault.kind === 'enospc') throw diskFullError();
      await new Promise((resolve) => setTimeout(resolve, 60_000));
    }
    const end = Math.min(bytes.length, done + CHUNK, fault && done < fault.afterBytes ? fault.afterBytes : Infinity);
    done += writeSync(fd, bytes, done, end - done);
    // Let a signal in between pieces: its handler removes the temporary file.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A replaced file keeps its permissions (a shared, group-writable output stays so). */
function keepModeOf(path: string, fd: number): void {
  try {
    fchmodSync(fd, statSync(path).mode & 0o7777);
  } catch {
    // No file yet: the default mode.
  }
}

/** After the rename, so that the new name survives a power loss; not every file system allows it. */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {}
}

function explainWriteError(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return errorMessage(err);
  }
}

function replacedNote(path: string): string {
  try {
    statSync(path);
    return ' (the existing file is unchanged)';
  } catch {
    return ' (nothing was written)';
  }
}
