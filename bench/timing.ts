// Median-of-N timing with a warm-up run and an optional time budget per configuration.
export interface TimingStats {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  warmupMs: number;
  /** Medians of the per-stage timings the measured function reported (same runs). */
  stages?: Record<string, number>;
}

export interface TimingOptions {
  /** Upper bound on measured runs (after the warm-up). */
  runs: number;
  /** Lower bound on measured runs whatever the budget. */
  minRuns: number;
  /** Stop after this many ms of measured runs once minRuns is reached; 0 = no budget. */
  budgetMs: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `fn` may return per-stage timings (numbers in ms); their medians are reported as `stages`. */
export async function timeRuns(fn: () => Promise<unknown>, opts: TimingOptions): Promise<TimingStats> {
  const w0 = performance.now();
  await fn();
  const warmupMs = performance.now() - w0;
  const totals: number[] = [];
  const stages: Record<string, number[]> = {};
  const start = performance.now();
  while (totals.length < opts.runs) {
    if (totals.length >= opts.minRuns && opts.budgetMs > 0 && performance.now() - start >= opts.budgetMs) break;
    const t0 = performance.now();
    const r = await fn();
    totals.push(performance.now() - t0);
    if (!r || typeof r !== 'object') continue;
    for (const [k, v] of Object.entries(r)) {
      if (typeof v !== 'number') continue;
      stages[k] ??= [];
      stages[k].push(v);
    }
  }
  const out: TimingStats = {
    medianMs: median(totals),
    minMs: Math.min(...totals),
    maxMs: Math.max(...totals),
    runs: totals.length,
    warmupMs,
  };
  const keys = Object.keys(stages);
  if (keys.length) out.stages = Object.fromEntries(keys.map((k) => [k, median(stages[k])]));
  return out;
}
