// When and on what a section of results.json was measured: timings mean little without it.
import os from 'node:os';

export interface MachineSnapshot {
  date: string;
  cpu: string;
  cores: number;
  /** At the start of the measurement: a busy machine explains slow numbers. */
  loadavg: string;
  node: string;
}

export function machineSnapshot(): MachineSnapshot {
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    cores: os.cpus().length,
    loadavg: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    node: process.version,
  };
}
