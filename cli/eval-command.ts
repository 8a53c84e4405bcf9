// smat eval: score the model (or saved predictions) against ground-truth mattes, with prompts
// simulated from the ground truth, so numbers are reproducible from the command line alone.
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Prompt } from '../core/prompt-types';
import type { RgbaImage } from '../core/rgba-image';
import { encodeGreyPng } from '../core/image-codecs';
import { resamplePlanes } from '../core/resample';
import { formatEvalPromptMode, parseEvalPromptMode, promptsFromMask } from '../core/prompts-from-mask';
import { computeMetrics, meanMetrics, type MatteMetrics } from '../core/metrics';
import { parseArgs, flag, flagInt, UsageError } from './args';
import { readImageFile, writeBytes } from './files';
import { createRunner } from './model-files';
import type { SmatRunner } from '../core/smat-runner';

export const EVAL_USAGE = `usage: smat eval --images DIR --gt DIR [--trimaps DIR] --prompt auto|box|points:N|point1 [--seed S] [--json FILE] [--pred DIR] [--save-pred DIR] [--limit N] [--models DIR] [--threads N]
  Ground truth: PNGs with the images' base names (first channel, 0..255 = alpha 0..1).
  Prompts come from the ground-truth region (alpha > 0.5): box = its bounding box, points:N = N
  seeded uniform points inside it, point1 = the interior point farthest from its border.
  --pred DIR scores the PNGs already there (alpha channel if RGBA, else the first) instead of
  running the model; --save-pred DIR writes the model's alpha as grey PNGs.`;

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png']);
const METRIC_KEYS = ['sad', 'mse', 'mad', 'grad', 'conn', 'iou', 'mae'] as const;
const UNKNOWN_KEYS = ['sad_unknown', 'mse_unknown'] as const;

type Metrics = MatteMetrics;

export async function evalCommand(argv: string[], log: (line: string) => void): Promise<void> {
  const args = parseArgs(argv, {
    images: { value: true },
    gt: { value: true },
    trimaps: { value: true },
    prompt: { value: true },
    seed: { value: true },
    json: { value: true },
    pred: { value: true },
    'save-pred': { value: true },
    limit: { value: true },
    models: { value: true },
    threads: { value: true },
    quiet: { value: false, alias: 'q' },
  });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const gtDir = flag(args, 'gt');
  const imagesDir = flag(args, 'images');
  const predDir = flag(args, 'pred');
  const trimapDir = flag(args, 'trimaps');
  const saveDir = flag(args, 'save-pred');
  if (!gtDir) throw new UsageError('eval needs --gt DIR');
  if (!imagesDir && !predDir) throw new UsageError('eval needs --images DIR (or --pred DIR to score saved predictions)');
  const promptText = flag(args, 'prompt');
  if (!promptText) throw new UsageError('eval needs --prompt auto|box|points:N|point1');
  const mode = parseEvalPromptMode(promptText);
  const seed = flagInt(args, 'seed', 0) ?? 0;
  const limit = flagInt(args, 'limit', 1);
  const threads = flagInt(args, 'threads', 1);
  const quiet = args.switches.has('quiet');
  for (const [name, dir] of [['--images', imagesDir], ['--gt', gtDir], ['--pred', predDir], ['--trimaps', trimapDir]] as const) {
    if (dir && !existsSync(dir)) throw new Error(`${name} directory not found: ${dir}`);
  }

  // Samples are named by the image folder (or the prediction folder when scoring saved PNGs).
  const listDir = imagesDir ?? predDir!;
  let names = (await readdir(listDir)).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort();
  if (names.length === 0) throw new Error(`no PNG or JPEG files in ${listDir}`);
  if (limit !== undefined) names = names.slice(0, limit);

  const runner: SmatRunner | null = predDir ? null : await createRunner(flag(args, 'models'), threads);
  const perImage: Array<{ name: string; ms?: number } & Metrics> = [];
  let totalMs = 0;
  try {
    for (const [k, file] of names.entries()) {
      const base = basename(file, extname(file));
      const gt = await readFirstChannel(join(gtDir, `${base}.png`), 'ground truth');
      const trimap = trimapDir ? (await readPlane(join(trimapDir, `${base}.png`), 'trimap', false)).bytes : undefined;
      if (trimap && trimap.length !== gt.width * gt.height) throw new Error(`trimap for ${base} does not match the ground-truth size`);

      let pred: Float32Array;
      let ms: number | undefined;
      if (predDir) {
        const p = await readPlane(join(predDir, `${base}.png`), 'prediction', true);
        pred = fitTo(p.values, p.width, p.height, gt.width, gt.height);
      } else {
        const { image } = await readImageFile(join(imagesDir!, file), 'image');
        const prompts = scalePrompts(promptsFromMask(mode, gt.values, gt.width, gt.height, seed), image.width / gt.width, image.height / gt.height);
        const t0 = performance.now();
        const result = await runner!.matte(image, prompts, { cacheKey: file });
        ms = performance.now() - t0;
        totalMs += ms;
        pred = fitTo(result.alpha, image.width, image.height, gt.width, gt.height);
        if (saveDir) await writeBytes(join(saveDir, `${base}.png`), encodeGreyPng(result.alpha, image.width, image.height));
      }
      const m = computeMetrics(pred, gt.values, gt.width, gt.height, trimap);
      perImage.push({ name: base, ...(ms !== undefined ? { ms } : {}), ...m });
      if (!quiet) log(`[${k + 1}/${names.length}] ${base}  iou ${m.iou.toFixed(4)}  sad ${m.sad.toFixed(2)}  mse ${m.mse.toExponential(3)}${ms !== undefined ? `  ${ms.toFixed(0)} ms` : ''}`);
    }
  } finally {
    await runner?.release();
  }

  const mean = meanMetrics(perImage.map(({ name: _n, ms: _ms, ...m }) => m as Metrics));
  const summary: Record<string, unknown> = { n: perImage.length, prompt: formatEvalPromptMode(mode), seed, source: predDir ? 'pred' : 'model' };
  for (const key of METRIC_KEYS) summary[key] = mean[key];
  for (const key of UNKNOWN_KEYS) if (mean[key] !== undefined) summary[key] = mean[key];
  if (!predDir) summary.msPerImage = totalMs / perImage.length;
  summary.perImage = perImage;

  log(formatTable(summary));
  const jsonPath = flag(args, 'json');
  if (jsonPath) await writeBytes(jsonPath, new TextEncoder().encode(JSON.stringify(summary, null, 2) + '\n'));
}

function formatTable(summary: Record<string, unknown>): string {
  const rows: Array<[string, string]> = [
    ['images', String(summary.n)],
    ['prompt', String(summary.prompt)],
  ];
  for (const key of [...METRIC_KEYS, ...UNKNOWN_KEYS]) {
    const v = summary[key];
    if (typeof v === 'number') rows.push([key, Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(4) : v.toExponential(3)]);
  }
  if (typeof summary.msPerImage === 'number') rows.push(['ms/image', summary.msPerImage.toFixed(0)]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return ['metric'.padEnd(w) + '  mean', '-'.repeat(w + 14), ...rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`)].join('\n');
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
