// smat eval: score the model (or saved predictions) against ground-truth mattes, with prompts
// simulated from the ground truth, so numbers are reproducible from the command line alone.
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
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
import { errorMessage } from '../core/errors';
import { parseArgs, flag, flagInt, UsageError } from './args';
import { valueFlags } from './option-table';
import { foldersOverlap, readBytes, readImageFile, writeBytes } from './files';
import { createRunner } from './model-files';
import type { SmatRunner } from '../core/smat-runner';

export const EVAL_USAGE = `usage: smat eval --images DIR --gt DIR [--trimaps DIR] --prompt auto|box|points:N|point1|scribble [--seed S] [--json FILE] [--pred DIR] [--save-pred DIR] [--limit N] [--models DIR] [--threads N]
  Ground truth: PNGs with the images' base names (first channel, 0..255 = alpha 0..1).
  Prompts come from the ground-truth region (alpha > 0.5): box = its bounding box, points:N = N
  seeded uniform points inside it, point1 = the interior point farthest from its border,
  scribble = one stroke along the region's inner skeleton.
  --pred DIR scores the PNGs already there (alpha channel if RGBA, else the first) instead of
  running the model; --save-pred DIR writes the model's alpha as grey PNGs.`;

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

function parseEvalOptions(argv: string[]): EvalOptions {
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
  if (!promptText) throw new UsageError('eval needs --prompt auto|box|points:N|point1|scribble');
  return {
    gtDir,
    imagesDir,
    predDir,
    trimapDir: flag(args, 'trimaps'),
    saveDir: flag(args, 'save-pred'),
    mode: parseEvalPromptMode(promptText),
    seed: flagInt(args, 'seed', 0) ?? 0,
    limit: flagInt(args, 'limit', 1),
    threads: flagInt(args, 'threads', 1),
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

/** Samples are named by the image folder (or the prediction folder when scoring saved PNGs). */
async function listSamples(o: EvalOptions): Promise<string[]> {
  const listDir = o.imagesDir ?? o.predDir!;
  const names = (await readdir(listDir)).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort();
  if (names.length === 0) throw new Error(`no PNG or JPEG files in ${listDir}`);
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
  if (!o.predDir) summary.msPerImage = perImage.reduce((sum, s) => sum + s.ms!, 0) / perImage.length;
  summary.perImage = perImage;
  return summary;
}

export async function evalCommand(argv: string[], log: (line: string) => void): Promise<void> {
  const o = parseEvalOptions(argv);
  checkFolders(o);
  const names = await listSamples(o);
  await checkInputs(names, o, o.predDir ? null : o.mode);

  const runner: SmatRunner | null = o.predDir ? null : await createRunner(o.modelsDir, o.threads);
  const perImage: ImageScore[] = [];
  try {
    for (const [k, file] of names.entries()) {
      const score = await scoreSample(runner, o, file);
      perImage.push(score);
      if (!o.quiet) log(progressLine(k, names.length, score));
    }
  } finally {
    await runner?.release();
  }

  const summary = summarize(perImage, o);
  log(formatTable(summary));
  if (o.jsonPath) await writeBytes(o.jsonPath, new TextEncoder().encode(`${JSON.stringify(summary, null, 2)}\n`));
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
