// smat eval: score the model (or saved predictions) against ground-truth mattes, with prompts
// simulated from the ground truth, so numbers are reproducible from the command line alone.
import { readdir } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Prompt } from '../core/prompt-types';
import type { RgbaImage } from '../core/rgba-image';
import { displaySize, encodeGreyPng, readImageHeader } from '../core/image-codecs';
import { resamplePlanes } from '../core/resample';
import {
  formatEvalPromptMode,
  parseEvalPromptMode,
  promptsFromMask,
  type EvalPromptMode,
} from '../core/prompts-from-mask';
import { computeMetrics, meanMetrics, METRIC_KEYS, UNKNOWN_REGION_KEYS, type MatteMetrics } from '../core/metrics';
import { errorMessage, InputFileError } from '../core/errors';
import { parseArgs, flag, flagInt, UsageError } from './args';
import { valueFlags } from './option-table';
import { ensureDir, foldersOverlap, readBytes, readImageFile, realPathOf, writeBytes } from './files';
import { checkOutputFile } from './check-output-paths';
import { createRunner, defaultModelDir, readModelFiles } from './model-files';
import { threadsOption } from './threads-option';
import { onInterrupt } from './interrupts';
import { writeFileAtomically, writeFileAtomicallySync } from './write-file-atomically';
import type { SmatRunner } from '../core/smat-runner';

export const EVAL_USAGE = `usage: smat eval --images DIR --gt DIR [--trimaps DIR] --prompt auto|box|points:N|points:N+not:M|point1|scribble [--seed S] [--json FILE] [--pred DIR] [--save-pred DIR] [--limit N] [--models DIR] [--threads N]
  Ground truth: PNGs with the images' base names (first channel, 0..255 = alpha 0..1).
  Prompts come from the ground-truth region (alpha > 0.5): box = its bounding box, points:N = N
  seeded uniform points inside it (+not:M: and M "not this" clicks off it, near it), point1 = the
  interior point farthest from its border,
  scribble = one stroke along the region's inner skeleton.
  --pred DIR scores the PNGs already there (alpha channel if RGBA, else the first) instead of
  running the model; --save-pred DIR writes the model's alpha as grey PNGs.
  --json FILE is rewritten as images are scored (and on Ctrl-C), so a stopped run keeps what it
  finished; it may not lie in a folder the command reads. An image whose file cannot be decoded
  is skipped, named and counted, and the command then exits with status 1.`;

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png']);

type Metrics = MatteMetrics;
type ImageScore = { name: string; ms?: number } & Metrics;

interface EvalOptions {
  gtDir: string;
  imagesDir?: string;
  /** Score the PNGs in this folder instead of running the model. */
  predDir?: string;
  trimapDir?: string;
  saveDir?: string;
  mode: EvalPromptMode;
  seed: number;
  limit?: number;
  threads?: number;
  quiet: boolean;
  modelsDir?: string;
  jsonPath?: string;
}

function parseEvalOptions(argv: string[], note: (line: string) => void): EvalOptions {
  const args = parseArgs(argv, {
    ...valueFlags('images gt trimaps prompt seed json pred save-pred limit models threads'),
    quiet: { value: false, alias: 'q' },
  });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const gtDir = flag(args, 'gt');
  const imagesDir = flag(args, 'images');
  const predDir = flag(args, 'pred');
  if (!gtDir) throw new UsageError('eval needs --gt DIR');
  if (!imagesDir && !predDir)
    throw new UsageError('eval needs --images DIR (or --pred DIR to score saved predictions)');
  const promptText = flag(args, 'prompt');
  if (!promptText) throw new UsageError('eval needs --prompt auto|box|points:N|points:N+not:M|point1|scribble');
  return {
    gtDir,
    imagesDir,
    predDir,
    trimapDir: flag(args, 'trimaps'),
    saveDir: flag(args, 'save-pred'),
    mode: parseEvalPromptMode(promptText),
    seed: flagInt(args, 'seed', 0) ?? 0,
    limit: flagInt(args, 'limit', 1),
    threads: threadsOption(args, note),
    quiet: args.switches.has('quiet'),
    modelsDir: flag(args, 'models'),
    jsonPath: flag(args, 'json'),
  };
}

function checkFolders(o: EvalOptions): void {
  for (const [name, dir] of [
    ['--images', o.imagesDir],
    ['--gt', o.gtDir],
    ['--pred', o.predDir],
    ['--trimaps', o.trimapDir],
  ] as const) {
    if (dir && !existsSync(dir)) throw new Error(`${name} directory not found: ${dir}`);
  }
  if (o.imagesDir && realPathOf(o.imagesDir) === realPathOf(o.gtDir)) {
    throw new UsageError(
      `--images and --gt are the same folder (${o.gtDir}): every ground truth would also be scored as a photo; give the photos and their mattes folders of their own`,
    );
  }
  if (o.saveDir && existsSync(o.saveDir) && !statSync(o.saveDir).isDirectory()) {
    throw new UsageError(`--save-pred ${o.saveDir} is a file: give a folder for the predictions`);
  }
  // --save-pred writes <name>.png: into (or inside) a folder being read it would replace ground
  // truth or inputs with predictions, and every later evaluation would score near-perfect.
  if (o.saveDir && !o.predDir) {
    for (const [name, dir] of [
      ['--gt', o.gtDir],
      ['--images', o.imagesDir],
      ['--trimaps', o.trimapDir],
    ] as const) {
      if (dir && foldersOverlap(o.saveDir, dir)) {
        throw new UsageError(
          `--save-pred ${o.saveDir} overlaps ${name} ${dir}: predictions would overwrite the files being scored; choose a folder of its own`,
        );
      }
    }
  }
}

/** --json may replace no file the command reads: it must lie outside every folder read. */
function checkJsonOutput(o: EvalOptions): string | undefined {
  if (!o.jsonPath) return undefined;
  const folders = (
    [
      ['images', o.imagesDir],
      ['ground-truth', o.gtDir],
      ['prediction', o.predDir],
      ['trimap', o.trimapDir],
      ['model', o.predDir ? undefined : resolve(o.modelsDir ?? defaultModelDir())],
    ] as const
  ).flatMap(([what, path]) => (path ? [{ path, what }] : []));
  return checkOutputFile({ flag: '--json', path: o.jsonPath }, { files: [], folders });
}

/** Samples are named by the image folder (or the prediction folder when scoring saved PNGs). */
async function listSamples(o: EvalOptions): Promise<string[]> {
  const listDir = o.imagesDir ?? o.predDir!;
  const names = (await readdir(listDir)).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort();
  if (names.length === 0) throw new Error(`no PNG or JPEG files in ${listDir}`);
  // a.png and a.jpg would both be scored against a.png's ground truth, counting it twice.
  const byBase = new Map<string, string[]>();
  for (const f of names) {
    const base = basename(f, extname(f));
    byBase.set(base, [...(byBase.get(base) ?? []), f]);
  }
  const twice = [...byBase.values()].filter((files) => files.length > 1).map((files) => files.join(' and '));
  if (twice.length > 0) {
    throw new Error(
      `${twice.length} name(s) in ${listDir} stand for more than one file, all scored against one ground truth: ${listNames(twice, 3)}; keep one of each`,
    );
  }
  return o.limit !== undefined ? names.slice(0, o.limit) : names;
}

/** The model's matte for one image, prompted from its ground truth, at the ground truth's size. */
async function predictWithModel(
  runner: SmatRunner,
  o: EvalOptions,
  file: string,
  base: string,
  gt: Plane,
): Promise<{ pred: Float32Array; ms: number }> {
  const { image } = await readImageFile(join(o.imagesDir!, file), 'image');
  const prompts = scalePrompts(
    promptsFromMask(o.mode, gt.values, gt.width, gt.height, o.seed),
    image.width / gt.width,
    image.height / gt.height,
  );
  const t0 = performance.now();
  const result = await runner.matte(image, prompts, { cacheKey: file });
  const ms = performance.now() - t0;
  if (o.saveDir)
    await writeBytes(join(o.saveDir, `${base}.png`), encodeGreyPng(result.alpha, image.width, image.height));
  return { pred: fitTo(result.alpha, image.width, image.height, gt.width, gt.height), ms };
}

/** A saved prediction at the ground truth's size. */
async function readPrediction(predDir: string, base: string, gt: Plane): Promise<Float32Array> {
  const p = await readPlane(join(predDir, `${base}.png`), 'prediction', true);
  return fitTo(p.values, p.width, p.height, gt.width, gt.height);
}

/** Scores one sample; `runner` is null when scoring saved predictions (no time then). */
async function scoreSample(runner: SmatRunner | null, o: EvalOptions, file: string): Promise<ImageScore> {
  const base = basename(file, extname(file));
  const gt = await readFirstChannel(join(o.gtDir, `${base}.png`), 'ground truth');
  const trimap = o.trimapDir ? (await readPlane(join(o.trimapDir, `${base}.png`), 'trimap', false)).bytes : undefined;
  if (trimap && trimap.length !== gt.width * gt.height)
    throw new Error(`trimap for ${base} does not match the ground-truth size`);
  let pred: Float32Array;
  let ms: number | undefined;
  if (runner) ({ pred, ms } = await predictWithModel(runner, o, file, base, gt));
  else pred = await readPrediction(o.predDir!, base, gt);
  const m = computeMetrics(pred, gt.values, gt.width, gt.height, trimap);
  return { name: base, ...(ms !== undefined ? { ms } : {}), ...m };
}

function progressLine(k: number, n: number, s: ImageScore): string {
  return `[${k + 1}/${n}] ${s.name}  iou ${s.iou.toFixed(4)}  sad ${s.sad.toFixed(2)}  mse ${s.mse.toExponential(3)}${s.ms !== undefined ? `  ${s.ms.toFixed(0)} ms` : ''}`;
}

/** What --json writes: the means, the settings that produced them, then each image's scores. */
function summarize(perImage: ImageScore[], o: EvalOptions): Record<string, unknown> {
  const mean = meanMetrics(perImage.map(({ name: _n, ms: _ms, ...m }) => m as Metrics));
  const summary: Record<string, unknown> = {
    n: perImage.length,
    prompt: formatEvalPromptMode(o.mode),
    seed: o.seed,
    source: o.predDir ? 'pred' : 'model',
  };
  for (const key of METRIC_KEYS) summary[key] = mean[key];
  for (const key of UNKNOWN_REGION_KEYS) if (mean[key] !== undefined) summary[key] = mean[key];
  if (!o.predDir && perImage.length > 0)
    summary.msPerImage = perImage.reduce((sum, s) => sum + s.ms!, 0) / perImage.length;
  summary.perImage = perImage;
  return summary;
}

/** A sample that could not be scored because one of its files is unusable. */
interface Skipped {
  name: string;
  reason: string;
}

/**
 * The --json file, kept current: rewritten after each image (at most every couple of seconds, so
 * 1000 quick --pred scores do not mean 1000 rewrites), at the end, and on Ctrl-C / SIGTERM, so a
 * stopped or failed run keeps every score it finished.
 */
class ResultsFile {
  private lastWrite = 0;
  constructor(
    private readonly path: string | undefined,
    private readonly state: () => Record<string, unknown>,
  ) {}

  async update(force = false): Promise<void> {
    if (!this.path || (!force && performance.now() - this.lastWrite < 2000)) return;
    this.lastWrite = performance.now();
    await writeFileAtomically(this.path, this.bytes({}));
  }

  /** From a signal handler: nothing asynchronous runs after it. */
  writeNow(extra: Record<string, unknown>): void {
    if (this.path) writeFileAtomicallySync(this.path, this.bytes(extra));
  }

  private bytes(extra: Record<string, unknown>): Uint8Array {
    return new TextEncoder().encode(`${JSON.stringify({ ...this.state(), ...extra }, null, 2)}\n`);
  }
}

export async function evalCommand(
  argv: string[],
  log: (line: string) => void,
  note: (line: string) => void,
): Promise<void> {
  const o = parseEvalOptions(argv, note);
  checkFolders(o);
  const jsonTarget = checkJsonOutput(o);
  // Now, so that an interrupt before the first rewrite can still write the file.
  if (jsonTarget) await ensureDir(dirname(jsonTarget));
  const names = await listSamples(o);
  await checkInputs(names, o, o.predDir ? null : o.mode);

  const runner: SmatRunner | null = o.predDir ? null : await createRunner(readModelFiles(o.modelsDir), o.threads);
  const perImage: ImageScore[] = [];
  const skipped: Skipped[] = [];
  let complete = false;
  const results = new ResultsFile(jsonTarget, () => ({
    ...summarize(perImage, o),
    complete,
    total: names.length,
    skipped,
  }));
  const forget = onInterrupt((signal) => {
    results.writeNow({ interrupted: signal });
    process.stderr.write(
      `smat: interrupted after ${perImage.length + skipped.length} of ${names.length} images${jsonTarget ? `; the scores so far are in ${o.jsonPath}` : ''}\n`,
    );
  });
  try {
    for (const [k, file] of names.entries()) {
      try {
        const score = await scoreSample(runner, o, file);
        perImage.push(score);
        if (!o.quiet) log(progressLine(k, names.length, score));
      } catch (err) {
        // A damaged file costs its own sample, not the run; anything else (the model failing) stops it.
        if (!(err instanceof InputFileError)) throw err;
        skipped.push({ name: file, reason: err.message });
        note(`skipped ${file}: ${err.message}`);
      }
      await results.update();
    }
    complete = true;
  } finally {
    forget();
    await runner?.release();
    await results.update(true);
  }

  log(formatTable({ ...summarize(perImage, o), skipped: skipped.length }));
  if (skipped.length > 0) {
    throw new Error(
      `${skipped.length} of ${names.length} images skipped (named above)${o.jsonPath ? `; ${o.jsonPath} holds the scores of the other ${perImage.length}` : ''}`,
    );
  }
}

/** At most `max` names, then how many more: error messages stay one readable line. */
function listNames(names: string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Same picture shape: the second size is the first scaled, give or take rounding (1 px or 1%). */
function sameAspect(a: { width: number; height: number }, b: { width: number; height: number }): boolean {
  const expected = (b.width * a.height) / a.width;
  return Math.abs(expected - b.height) <= Math.max(1, 0.01 * b.height);
}

type EvalDirs = { imagesDir?: string; gtDir: string; predDir?: string; trimapDir?: string };

/**
 * Every file the evaluation will read, checked before any model run or scoring: a missing file,
 * a ground truth of another shape (it would be stretched and scored silently), or an empty ground
 * truth under a prompted mode (no prompt can be made, so it would silently run automatic) stops
 * the run up front with the list of offending names, instead of after minutes of work.
 */
async function checkInputs(names: string[], dirs: EvalDirs, promptMode: EvalPromptMode | null): Promise<void> {
  const bases = names.map((f) => basename(f, extname(f)));
  checkFilesExist(names.length, bases, dirs);
  await checkShapes(names, bases, dirs, promptMode);
  if (promptMode && promptMode.kind !== 'auto') await checkForegrounds(bases, dirs.gtDir, promptMode);
}

function checkFilesExist(count: number, bases: string[], dirs: EvalDirs): void {
  const missing: string[] = [];
  for (const [what, dir] of [
    ['ground truth', dirs.gtDir],
    ['prediction', dirs.predDir],
    ['trimap', dirs.trimapDir],
  ] as const) {
    if (!dir) continue;
    const absent = bases.filter((b) => !existsSync(join(dir, `${b}.png`))).map((b) => `${b}.png`);
    if (absent.length > 0)
      missing.push(`${what} missing for ${absent.length} of ${count} images in ${dir}: ${listNames(absent)}`);
  }
  if (missing.length > 0) throw new Error(missing.join('; '));
}

/** Size from the file's header alone: the check reads no pixels. */
async function headerSize(path: string, what: string): Promise<{ width: number; height: number }> {
  try {
    return displaySize(readImageHeader(await readBytes(path, what)));
  } catch (err) {
    throw new Error(`${what} ${path}: ${errorMessage(err)}`);
  }
}

/** Images and predictions must have the ground truth's aspect ratio, trimaps its exact size. */
async function checkShapes(
  names: string[],
  bases: string[],
  dirs: EvalDirs,
  promptMode: EvalPromptMode | null,
): Promise<void> {
  const mismatched: string[] = [];
  for (const [k, file] of names.entries()) {
    const base = bases[k];
    const gt = await headerSize(join(dirs.gtDir, `${base}.png`), 'ground truth');
    const others: Array<[string, string, boolean]> = [];
    if (promptMode && dirs.imagesDir) others.push(['image', join(dirs.imagesDir, file), false]);
    if (dirs.predDir) others.push(['prediction', join(dirs.predDir, `${base}.png`), false]);
    if (dirs.trimapDir) others.push(['trimap', join(dirs.trimapDir, `${base}.png`), true]);
    for (const [what, path, exact] of others) {
      const size = await headerSize(path, what);
      const ok = exact ? size.width === gt.width && size.height === gt.height : sameAspect(size, gt);
      if (!ok)
        mismatched.push(`${base}: ${what} ${size.width}x${size.height} vs ground truth ${gt.width}x${gt.height}`);
    }
  }
  if (mismatched.length > 0) {
    throw new Error(
      `${mismatched.length} file(s) do not match their ground truth's ${dirs.trimapDir ? 'size (trimaps) or ' : ''}aspect ratio, so scores would compare stretched mattes: ${listNames(mismatched, 3)}`,
    );
  }
}

async function checkForegrounds(bases: string[], gtDir: string, promptMode: EvalPromptMode): Promise<void> {
  const empty: string[] = [];
  for (const base of bases) {
    const gt = await readFirstChannel(join(gtDir, `${base}.png`), 'ground truth');
    if (!gt.values.some((v) => v > 0.5)) empty.push(`${base}.png`);
  }
  if (empty.length > 0) {
    throw new Error(
      `--prompt ${formatEvalPromptMode(promptMode)} needs a foreground in each ground truth, but ${empty.length} are empty (no pixel above 0.5): ${listNames(empty)}; remove them or use --prompt auto`,
    );
  }
}

function formatTable(summary: Record<string, unknown>): string {
  const rows: Array<[string, string]> = [
    ['images', String(summary.n)],
    ['prompt', String(summary.prompt)],
  ];
  for (const key of [...METRIC_KEYS, ...UNKNOWN_REGION_KEYS]) {
    const v = summary[key];
    if (typeof v === 'number') rows.push([key, Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(4) : v.toExponential(3)]);
  }
  if (typeof summary.msPerImage === 'number') rows.push(['ms/image', summary.msPerImage.toFixed(0)]);
  if (typeof summary.skipped === 'number' && summary.skipped > 0) rows.push(['skipped', String(summary.skipped)]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return [`${'metric'.padEnd(w)}  mean`, '-'.repeat(w + 14), ...rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`)].join(
    '\n',
  );
}

interface Plane {
  width: number;
  height: number;
  values: Float32Array;
  bytes: Uint8Array;
}

function channelOf(image: RgbaImage, channel: number): Plane {
  const n = image.width * image.height;
  const bytes = new Uint8Array(n);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    bytes[i] = image.data[4 * i + channel];
    values[i] = bytes[i] / 255;
  }
  return { width: image.width, height: image.height, values, bytes };
}

async function readFirstChannel(path: string, what: string): Promise<Plane> {
  return readPlane(path, what, false);
}

/**
 * First channel, or the alpha channel when `preferAlpha` and the PNG carries alpha. An alpha
 * channel that is opaque everywhere holds no matte (a grey mask saved as RGBA): use grey then.
 */
async function readPlane(path: string, what: string, preferAlpha: boolean): Promise<Plane> {
  const { image, hasAlpha } = await readImageFile(path, what);
  let useAlpha = preferAlpha && hasAlpha;
  if (useAlpha) {
    useAlpha = false;
    for (let i = 3; i < image.data.length; i += 4) {
      if (image.data[i] !== 255) {
        useAlpha = true;
        break;
      }
    }
  }
  return channelOf(image, useAlpha ? 3 : 0);
}

/** Predictions are scored at the ground truth's resolution. */
function fitTo(values: Float32Array, w: number, h: number, tw: number, th: number): Float32Array {
  return w === tw && h === th ? values : resamplePlanes(values, w, h, tw, th);
}

function scalePrompts(prompts: Prompt[], sx: number, sy: number): Prompt[] {
  if (sx === 1 && sy === 1) return prompts;
  return prompts.map((p) =>
    p.kind === 'box'
      ? { ...p, x: p.x * sx, y: p.y * sy, width: p.width * sx, height: p.height * sy }
      : p.kind === 'point'
        ? { ...p, x: p.x * sx, y: p.y * sy }
        : { ...p, points: p.points.map((q) => ({ x: q.x * sx, y: q.y * sy })), width: p.width * sx },
  );
}
