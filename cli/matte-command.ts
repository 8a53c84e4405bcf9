// smat matte <image> -o <out.png> [--box x,y,w,h] [--point x,y]... [--exclude-point x,y]... [--scribble mask.png] [--mask-only] [--models DIR]
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Prompt } from '../core/prompt-types';
import type { RgbaImage } from '../core/rgba-image';
import type { MatteResult } from '../core/smat-runner';
import { encodePng } from '../core/image-codecs';
import { promptsInsideImage, rasterizePrompts } from '../core/prompts';
import { EmptyMatteError, PromptOutsideImageError } from '../core/errors';
import { maskRunsToScribbles, paintedPixels } from '../core/scribble-mask';
import { degenerateImageReason, letterboxScale } from '../core/letterbox';
import { emptyMatteReason, isEmptyMatte } from '../core/empty-matte';
import type { SmatModelConfig } from '../core/model-config';
import { alphaAsLuminanceMask, applyAlphaAsCutout } from '../core/composite';
import { parseArgs, flag, UsageError } from './args';
import { parseBoxArg, parseExcludePointArg, parsePointArg } from './prompt-args';
import { readImageFile, writeBytes } from './files';
import { checkOutputFile } from './check-output-paths';
import { createRunner, defaultModelDir, readModelFiles, type ModelFiles } from './model-files';
import { threadsOption } from './threads-option';
import { onInterrupt } from './interrupts';

export const MATTE_USAGE = `usage: smat matte <image.jpg|png> -o <out.png> [--box x,y,w,h] [--point x,y]... [--exclude-point x,y]... [--scribble mask.png] [--mask-only] [--no-decontaminate] [--allow-empty] [--models DIR] [--threads N]
  No prompt: automatic (the salient object). Coordinates are source-image pixels.
  -o: a new or replaceable .png file (never the input, the scribble file or a model file); an
  existing file is replaced only once the new one is complete, so it is never left damaged.
  RGBA with straight alpha.
  --exclude-point x,y: a "not this" click, leaving out what is under it (needs a box, a --point
  or a scribble on the object too).
  --scribble: a PNG the size of the image; painted pixels (alpha > 0 where the alpha channel is
  used, else any non-black pixel: white strokes on black) are scribbles on the object.
  --mask-only: write an opaque grey mask (white = foreground) instead of the cut-out.
  --no-decontaminate: keep the photo's colour at soft edges (by default the cut-out gets the
  subject's own colour there, without the old background's tint; transparent pixels are black).
  --allow-empty: write the result even when nothing is cut out (otherwise that is an error).
  --threads N: ORT threads, at most the machine's cores (a larger N is capped, with a note).`;

interface MatteOptions {
  input: string;
  output: string;
  /** --box and --point; scribbles join them once the image is read. */
  prompts: Prompt[];
  threads?: number;
  scribblePath?: string;
  modelsDir?: string;
  maskOnly: boolean;
  decontaminate: boolean;
  allowEmpty: boolean;
  quiet: boolean;
}

function parseMatteOptions(argv: string[], note: (line: string) => void): MatteOptions {
  const args = parseArgs(argv, {
    output: { value: true, alias: 'o' },
    box: { value: true, repeat: true },
    point: { value: true, repeat: true },
    'exclude-point': { value: true, repeat: true },
    scribble: { value: true },
    'mask-only': { value: false },
    'no-decontaminate': { value: false },
    'allow-empty': { value: false },
    models: { value: true },
    threads: { value: true },
    quiet: { value: false, alias: 'q' },
  });
  if (args.positional.length !== 1)
    throw new UsageError(
      args.positional.length === 0
        ? 'matte needs an input image'
        : `matte takes one input image, got ${args.positional.length}`,
    );
  const output = flag(args, 'output');
  if (!output) throw new UsageError('matte needs -o <out.png>');
  return {
    input: args.positional[0],
    output,
    prompts: [
      ...(args.flags.get('box') ?? []).map(parseBoxArg),
      ...(args.flags.get('point') ?? []).map(parsePointArg),
      ...(args.flags.get('exclude-point') ?? []).map(parseExcludePointArg),
    ],
    threads: threadsOption(args, note),
    scribblePath: flag(args, 'scribble'),
    modelsDir: flag(args, 'models'),
    maskOnly: args.switches.has('mask-only'),
    decontaminate: !args.switches.has('no-decontaminate'),
    allowEmpty: args.switches.has('allow-empty'),
    quiet: args.switches.has('quiet'),
  };
}

/** The strokes painted in a scribble mask the size of the image. */
async function scribblePrompts(scribblePath: string, image: RgbaImage): Promise<Prompt[]> {
  const { image: scribble, hasAlpha } = await readImageFile(scribblePath, 'scribble mask');
  if (scribble.width !== image.width || scribble.height !== image.height) {
    throw new Error(
      `scribble mask is ${scribble.width}x${scribble.height}, the image is ${image.width}x${image.height}: they must match`,
    );
  }
  const painted = paintedPixels(scribble, hasAlpha);
  if (painted.every((p) => p === 1)) {
    throw new Error(
      `scribble mask ${scribblePath} is painted everywhere: draw the strokes in white on black, or opaque on transparent`,
    );
  }
  const strokes = maskRunsToScribbles(painted, image.width, image.height);
  if (strokes.length === 0) throw new Error(`scribble mask ${scribblePath} has no painted pixels`);
  return strokes;
}

function summaryLine(o: MatteOptions, image: RgbaImage, result: MatteResult): string {
  const t = result.timings;
  return (
    `${o.output}: ${image.width}x${image.height} ${o.maskOnly ? 'mask' : 'cut-out'}, ` +
    `${result.hasPrompt ? `${o.prompts.length} prompt(s)` : 'automatic'}; ` +
    `encoder ${t.encoderMs.toFixed(0)} ms, head ${t.headMs.toFixed(0)} ms, post ${t.postprocessMs.toFixed(0)} ms`
  );
}

/**
 * Why the prompts, though inside the image, mark no pixel of the model's square (a box thinner
 * than one model pixel): the model would run as if prompted by nothing and return an empty matte.
 */
function promptsMarkNothing(prompts: Prompt[], image: RgbaImage, config: SmatModelConfig): string | null {
  const { mask, hasPrompt } = rasterizePrompts(prompts, image.width, image.height, config.inputSize, config);
  // "Not this" clicks mark no pixel by design; alone (or none inside) they are refused by the runner, in its words.
  if (!hasPrompt || mask.some((v) => v > 0)) return null;
  const pixel = 1 / letterboxScale(image.width, image.height, config.inputSize);
  return (
    `the prompts mark no pixel of the model's ${config.inputSize}x${config.inputSize} view of this ${image.width}x${image.height} image: ` +
    `one model pixel is ${Number(pixel.toPrecision(3))} image pixels here, so draw a box at least that wide and tall`
  );
}

/** Runs the model and writes the cut-out (or the mask) as a PNG to `target` (-o with links followed). */
async function matteToFile(
  o: MatteOptions,
  target: string,
  image: RgbaImage,
  model: ModelFiles,
  log: (line: string) => void,
): Promise<void> {
  const runner = await createRunner(model, o.threads);
  try {
    const result = await runner.matte(image, o.prompts);
    const empty = isEmptyMatte(result.alpha, result.width, result.height, runner.config.featureSize);
    if (empty && !o.allowEmpty) {
      throw new EmptyMatteError(
        `nothing was cut out, so ${o.output} was not written: ${emptyMatteReason(image, result.hasPrompt)} (--allow-empty writes it anyway)`,
      );
    }
    const rgba = o.maskOnly
      ? alphaAsLuminanceMask(result.alpha, image.width, image.height)
      : applyAlphaAsCutout(image, result.alpha, { decontaminate: o.decontaminate });
    await writeBytes(target, encodePng(rgba));
    if (!o.quiet) log(`${summaryLine(o, image, result)}${empty ? ' (empty: nothing cut out)' : ''}`);
  } finally {
    await runner.release();
  }
}

export async function matteCommand(
  argv: string[],
  log: (line: string) => void,
  note: (line: string) => void,
): Promise<void> {
  const o = parseMatteOptions(argv, note);
  const modelDir = resolve(o.modelsDir ?? defaultModelDir());
  // Before reading or running anything: -o must be a writable .png that is none of the files read.
  const target = checkOutputFile(
    { flag: '-o', path: o.output, ext: { ending: '.png', kind: 'a PNG image' } },
    {
      files: [
        { path: o.input, what: 'input image' },
        ...(o.scribblePath ? [{ path: o.scribblePath, what: 'scribble mask' }] : []),
      ],
      folders: [{ path: modelDir, what: 'model' }],
    },
  );
  const { image } = await readImageFile(o.input, 'input image');
  if (o.scribblePath) o.prompts.push(...(await scribblePrompts(o.scribblePath, image)));
  // Check before loading the models: a typo in a coordinate should fail fast.
  if (o.prompts.length > 0 && promptsInsideImage(o.prompts, image.width, image.height).length === 0) {
    throw new PromptOutsideImageError(`${image.width}x${image.height}`);
  }
  const model = readModelFiles(modelDir);
  const degenerate = degenerateImageReason(image.width, image.height, model.config.inputSize);
  if (degenerate) throw new Error(`input image ${o.input}: ${degenerate}`);
  const unmarked = promptsMarkNothing(o.prompts, image, model.config);
  if (unmarked) throw new UsageError(unmarked);
  const forget = onInterrupt((signal) => {
    const kept = existsSync(target) ? ' (the existing file is unchanged)' : '';
    process.stderr.write(`smat: interrupted (${signal}): ${o.output} was not written${kept}\n`);
  });
  try {
    await matteToFile(o, target, image, model, log);
  } finally {
    forget();
  }
}
