// `npm run bench -- --update`: the new results keep the earlier run's for what this run did not measure.
import type { BenchResults } from './report';
import type { BenchArgs } from './run-args';

const METHOD_ORDER = ['ours', 'isnet', 'sam'];

/** ours-512 sorts with ours; unknown methods last. */
function methodRank(method: string): number {
  return METHOD_ORDER.indexOf(method.replace(/-\d+$/, '')) + 1 || 9;
}

function mergeSpeed(results: BenchResults, prev: BenchResults, methods: string[]): void {
  const key = (s: { method: string; runtime: string }) => `${s.method}@${s.runtime}`;
  const ran = new Set(results.speed.map(key));
  results.speed = [...prev.speed.filter((s) => !ran.has(key(s))), ...results.speed];
  results.speed.sort((a, b) => a.runtime.localeCompare(b.runtime) || methodRank(a.method) - methodRank(b.method));
  // A method re-run this time replaces its earlier "skipped" lines.
  const keptSkips = (prev.speedSkipped ?? []).filter((x) => !methods.some((m) => x.startsWith(`${m} `)));
  results.speedSkipped = [...new Set([...keptSkips, ...(results.speedSkipped ?? [])])];
}

function mergeQuality(results: BenchResults, prev: BenchResults): void {
  if (!results.quality) {
    results.quality = prev.quality;
    return;
  }
  // Rows of another sample count would not be comparable in one table.
  if (!prev.quality || prev.quality.n !== results.quality.n) return;
  const labels = new Set(results.quality.rows.map((r) => r.label));
  const rows = [...prev.quality.rows.filter((r) => !labels.has(r.label)), ...results.quality.rows];
  rows.sort((a, b) => methodRank(a.method) - methodRank(b.method));
  results.quality.rows = rows;
}

export function mergePrevious(
  results: BenchResults,
  prev: BenchResults,
  args: Pick<BenchArgs, 'methods' | 'skipPlugin'>,
): void {
  mergeSpeed(results, prev, args.methods);
  if (args.skipPlugin) results.pluginPath = prev.pluginPath;
  mergeQuality(results, prev);
  if (!results.ours.available && prev.ours.available && !args.methods.includes('ours')) results.ours = prev.ours;
  if (!results.foreground) results.foreground = prev.foreground;
  results.meta.mergedFrom = prev.meta.date;
}
