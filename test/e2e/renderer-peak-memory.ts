// Peak resident memory of the Chromium renderer processes this test started (Linux /proc): the
// plugin UI's document, its WASM heap and the model bytes live there. VmHWM is the high-water mark
// over each process's life, so reading it at the end gives the peak.
import { readdirSync, readFileSync } from 'node:fs';

function children(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ...": comm may contain spaces, so split after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = map.get(ppid) ?? [];
      list.push(Number(name));
      map.set(ppid, list);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return map;
}

/** Max and per-process VmHWM (MiB) of renderer processes below this Node process. */
export function rendererPeakMemoryMiB(): { max: number; each: number[] } {
  const tree = children();
  const each: number[] = [];
  const walk = (pid: number) => {
    for (const child of tree.get(pid) ?? []) {
      try {
        const cmd = readFileSync(`/proc/${child}/cmdline`, 'utf8');
        if (cmd.includes('--type=renderer')) {
          const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child}/status`, 'utf8'));
          if (hwm) each.push(Math.round(Number(hwm[1]) / 1024));
        }
      } catch {
        /* ended */
      }
      walk(child);
    }
  };
  walk(process.pid);
  return { max: each.length ? Math.max(...each) : NaN, each };
}
