// A command's --help text is the header comment of its own file, so the two cannot disagree.
import fs from 'node:fs';

/** The first `lines` lines of the file at `moduleUrl` (a module's import.meta.url). */
export function headerComment(moduleUrl: string, lines = 4): string {
  return fs.readFileSync(new URL(moduleUrl), 'utf8').split('\n').slice(0, lines).join('\n');
}
