// Minimal argv parser for the CLI, the bench and tools/: a few dozen flags in all, not worth a
// dependency. Declare the flags, parse, then read them with flag / flagInt / flagNumber / flagList.

export class UsageError extends Error {}

export interface FlagSpec {
  /** Takes a value (`--box 1,2,3,4`); otherwise a boolean switch. */
  value: boolean;
  /** May be given more than once (`--point a --point b`). */
  repeat?: boolean;
  alias?: string;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
  switches: Set<string>;
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const byAlias = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.alias) byAlias.set(s.alias, name);
  const out: ParsedArgs = { positional: [], flags: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      out.positional.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      name = byAlias.get(arg.slice(1)) ?? arg.slice(1);
    }
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option ${arg}`);
    if (!s.value) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      out.switches.add(name);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    // `-o --mask-only` means a forgotten value, not a file named "--mask-only". Negative numbers
    // (`--point -3,-3`) stay values; a file that starts with a dash is spelled ./-name or --flag=-name.
    if (inline === undefined && looksLikeOption(value))
      throw new UsageError(`${arg} needs a value, got the option ${value}`);
    const list = out.flags.get(name) ?? [];
    if (list.length > 0 && !s.repeat) throw new UsageError(`--${name} given more than once`);
    list.push(value);
    out.flags.set(name, list);
  }
  return out;
}

function looksLikeOption(text: string): boolean {
  return /^--./.test(text) || /^-[A-Za-z]/.test(text);
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}

export function flagInt(args: ParsedArgs, name: string, min = 0): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${v}"`);
  return Number(v);
}

/** Any finite number >= `min` (fractions too, e.g. a time budget in seconds). */
export function flagNumber(args: ParsedArgs, name: string, min = 0): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number >= ${min}, got "${v}"`);
  return n;
}

/** A comma-separated value (`--methods ours,isnet`) as its items. */
export function flagList(args: ParsedArgs, name: string): string[] | undefined {
  return flag(args, name)?.split(',');
}
