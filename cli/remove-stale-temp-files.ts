// A SIGKILL or a power loss in the middle of a write leaves the writer's hidden temporary file
// (`.smat-<pid>-<hex>.tmp`) beside the output; the output itself is whole. The next write into
// that folder removes such leftovers, so they do not pile up: only files named exactly so, whose
// process is gone and that nobody has touched for an hour (a process in another container may
// use the same pid, but no write of ours stalls that long).
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

export const TEMP_NAME = /^\.smat-(\d+)-[0-9a-f]{8}\.tmp$/;
const STALE_MS = 60 * 60 * 1000;

export function removeStaleTempFiles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || processRuns(Number(m[1]))) continue;
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      if (stat.isFile() && Date.now() - stat.mtimeMs > STALE_MS) unlinkSync(path);
    } catch {
      // Gone already, or not ours to remove: either way nothing to do.
    }
  }
}

function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
