// Option tables for parseArgs (cli/args.ts) written as lists of names: a command with a dozen
// flags reads as which take a value and which are switches, not as a dozen `{ value: ... }` lines.
import type { FlagSpec } from './args';

/** Flags that take a value (`--limit 50`), given at most once; `names` separated by spaces. */
export function valueFlags(names: string): Record<string, FlagSpec> {
  return flagTable(names, { value: true });
}

/** Boolean switches (`--update`); `names` separated by spaces. */
export function switchFlags(names: string): Record<string, FlagSpec> {
  return flagTable(names, { value: false });
}

function flagTable(names: string, spec: FlagSpec): Record<string, FlagSpec> {
  return Object.fromEntries(names.split(/\s+/).map((name) => [name, spec]));
}
