// Command-line options of `npm run bench` (bench/run.ts, whose header comment is the usage text).
import { flag, flagList, flagNumber, parseArgs as parseArgv, UsageError } from '../cli/args';
import { switchFlags, valueFlags } from '../cli/option-table';
import { DEFAULT_DATA_DIR } from './data';
import type { RuntimeName } from './runtimes';

export interface BenchArgs {
  limit: number;
  runs: number;
  minRuns: number;
  budgetS: number;
  threads: number;
  runtimes: RuntimeName[];
  methods: string[];
  skipSpeed: boolean;
  skipQuality: boolean;
  skipPlugin: boolean;
  cache: boolean;
  update: boolean;
  reportOnly: boolean;
  foregroundOnly: boolean;
  skipForeground: boolean;
  data: string;
  models: string;
  out: string;
}

/** `usage` is only read for --help: it prints it and exits. */
export function parseBenchArgs(argv: string[], usage: () => string): BenchArgs {
  const args = parseArgv(argv, {
    ...valueFlags('limit runs min-runs budget threads runtimes methods data models out'),
    ...switchFlags(
      'all skip-speed skip-quality skip-plugin no-cache update report-only foreground-only skip-foreground',
    ),
    help: { value: false, alias: 'h' },
  });
  if (args.switches.has('help')) {
    console.log(usage());
    process.exit(0);
  }
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const on = (name: string) => args.switches.has(name);
  const atLeastOne = (name: string, fallback: number) => Math.max(1, flagNumber(args, name) ?? fallback);
  const a: BenchArgs = {
    limit: on('all') ? Infinity : (flagNumber(args, 'limit') ?? 50),
    runs: atLeastOne('runs', 20),
    minRuns: atLeastOne('min-runs', 3),
    budgetS: flagNumber(args, 'budget') ?? 20,
    threads: atLeastOne('threads', 1),
    runtimes: (flagList(args, 'runtimes') ?? ['node-cpu', 'web-wasm']) as RuntimeName[],
    methods: flagList(args, 'methods') ?? ['ours', 'isnet', 'sam'],
    skipSpeed: on('skip-speed'),
    skipQuality: on('skip-quality'),
    skipPlugin: on('skip-plugin'),
    cache: !on('no-cache'),
    update: on('update'),
    reportOnly: on('report-only'),
    foregroundOnly: on('foreground-only'),
    skipForeground: on('skip-foreground'),
    data: flag(args, 'data') ?? DEFAULT_DATA_DIR,
    models: flag(args, 'models') ?? 'models',
    out: flag(args, 'out') ?? 'bench',
  };
  for (const r of a.runtimes) if (r !== 'node-cpu' && r !== 'web-wasm') throw new UsageError(`unknown runtime ${r}`);
  return a;
}

/** `--limit` as results.json and the log write it. */
export function limitLabel(args: BenchArgs): number | 'all' {
  return Number.isFinite(args.limit) ? args.limit : 'all';
}

/** A 4096x4096 estimate takes seconds: a handful of runs is enough for a median. */
export function foregroundRuns(args: BenchArgs): number {
  return Math.max(1, Math.min(args.runs, 5));
}
