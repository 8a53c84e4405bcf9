// Command-line options of `npm run bench:figma` (bench/figma-path.ts, whose header comment is the usage text).
import { flag, flagInt, parseArgs, UsageError } from '../cli/args';
import { switchFlags, valueFlags } from '../cli/option-table';

export interface FigmaBenchArgs {
  /** Plugin sessions (each: one cold start, then warm jobs, re-prompts and Applies) and peer runs. */
  runs: number;
  /** Where the built code.js and ui.html are; null = dist/, rebuilt when stale. */
  dist: string | null;
  /** The JSON file written. */
  json: string;
  /** Leave bench/RESULTS.md and README.md alone (a run on another build, for comparison). */
  noDocs: boolean;
  skipPeers: boolean;
}

export function parseFigmaBenchArgs(argv: string[], usage: () => string): FigmaBenchArgs {
  const args = parseArgs(argv, {
    ...valueFlags('runs dist json'),
    ...switchFlags('no-docs skip-peers'),
    help: { value: false, alias: 'h' },
  });
  if (args.switches.has('help')) {
    console.log(usage());
    process.exit(0);
  }
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  return {
    runs: flagInt(args, 'runs', 1) ?? 3,
    dist: flag(args, 'dist') ?? null,
    json: flag(args, 'json') ?? 'bench/figma-path.json',
    noDocs: args.switches.has('no-docs'),
    skipPeers: args.switches.has('skip-peers'),
  };
}
