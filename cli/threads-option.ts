// --threads N: ORT's threads for one model run. More threads than cores only make them wait for
// each other (64 on 2 cores took 70 s instead of 4; 9999 started ~13,800 threads and stalled), so
// a larger N is capped at the cores this process may use, with a note: a script written for a
// bigger machine still runs.
import { flagInt, type ParsedArgs } from './args';
import { coreCount } from './model-files';

export function threadsOption(args: ParsedArgs, note: (line: string) => void): number | undefined {
  const asked = flagInt(args, 'threads', 1);
  if (asked === undefined) return undefined;
  const cores = coreCount();
  if (asked <= cores) return asked;
  note(`--threads ${asked} is more than the ${cores} core(s) this machine gives smat; using ${cores}`);
  return cores;
}
