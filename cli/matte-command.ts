// smat matte <image> -o <out.png> [--box x,y,w,h] [--point x,y]... [--scribble mask.png] [--mask-only] [--models DIR]
import { dirname } from 'node:path';
import type { Prompt } from '../core/prompt-types';
import type { RgbaImage } from '../core/rgba-image';
import type { MatteResult } from '../core/smat-runner';
import { encodePng } from '../core/image-codecs';
import { promptsInsideImage } from '../core/prompts';
import { errorMessage, PromptOutsideImageError } from '../core/errors';
import { maskRunsToScribbles, paintedPixels } from '../core/scribble-mask';
import { degenerateImageReason } from '../core/letterbox';
import { alphaAsLuminanceMask, applyAlphaAsCutout } from '../core/composite';
import { parseArgs, flag, flagInt, UsageError } from './args';
import { parseBoxArg, parsePointArg } from './prompt-args';
import { checkOutputFile, ensureDir, readImageFile, writeBytes } from './files';
import { createRunner } from './model-files';

export const MATTE_USAGE = `usage: smat matte <image.jpg|png> -o <out.png> [--box x,y,w,h] [--point x,y]... [--scribble mask.png] [--mask-only] [--no-decontaminate] [--models DIR] [--threads N]
  No prompt: automatic (the salient object). Coordinates are source-image pixels.
  -o: a new .png file (never the input or the scribble file); RGBA with straight alpha.
  --scribble: a PNG the size of the image; painted pixels (alpha > 0 where the alpha channel is
  used, else any non-black pixel: white strokes on black) are scribbles on the object.
  --mask-only: write an opaque grey mask (white = foreground) instead of the cut-out.
  --no-decontaminate: keep the photo's colour at soft edges (by default the cut-out gets the
  subject's own colour there, without the old background's tint; transparent pixels are black).`;

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
  quiet: boolean;
}

function parseMatteOptions(argv: string[]): MatteOptions {
  const args = parseArgs(argv, {
    output: { value: true, alias: 'o' },
    box: { value: true, repeat: true },
    point: { value: true, repeat: true },
    scribble: { value: true },
    'mask-only': { value: false },
    'no-decontaminate': { value: false },
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
    prompts: [...(args.flags.get('box') ?? []).map(parseBoxArg), ...(args.flags.get('point') ?? []).map(parsePointArg)],
    threads: flagInt(args, 'threads', 1),
    scribblePath: flag(args, 'scribble'),
    modelsDir: flag(args, 'models'),
    maskOnly: args.switches.has('mask-only'),
    decontaminate: !args.switches.has('no-decontaminate'),
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

async function ensureOutputFolder(output: string): Promise<void> {
  try {
    await ensureDir(dirname(output));
  } catch (err) {
    throw new Error(`cannot create the folder for ${output}: ${errorMessage(err)}`);
  }
}

function summaryLine(o: MatteOptions, image: RgbaImage, result: MatteResult): string {
  const t = result.timings;
  return (
    `${o.output}: ${image.width}x${image.height} ${o.maskOnly ? 'mask' : 'cut-out'}, ` +
    `${result.hasPrompt ? `${o.prompts.length} prompt(s)` : 'automatic'}; ` +
    `encoder ${t.encoderMs.toFixed(0)} ms, head ${t.headMs.toFixed(0)} ms, post ${t.postprocessMs.toFixed(0)} ms`
  );
}

/** Runs the model and writes the cut-out (or the mask) as a PNG. */
async function matteToFile(o: MatteOptions, image: RgbaImage, log: (line: string) => void): Promise<void> {
  const runner = await createRunner(o.modelsDir, o.threads);
  try {
    const degenerate = degenerateImageReason(image.width, image.height, runner.inputSize);
    if (degenerate) throw new Error(`input image ${o.input}: ${degenerate}`);
    const result = await runner.matte(image, o.prompts);
    const rgba = o.maskOnly
      ? alphaAsLuminanceMask(result.alpha, image.width, image.height)
      : applyAlphaAsCutout(image, result.alpha, { decontaminate: o.decontaminate });
    await writeBytes(o.output, encodePng(rgba));
    if (!o.quiet) log(summaryLine(o, image, result));
  } finally {
    await runner.release();
  }
}

export async function matteCommand(argv: string[], log: (line: string) => void): Promise<void> {
  const o = parseMatteOptions(argv);
  // Before reading or running anything: -o must be a writable .png that is none of the inputs.
  checkOutputFile(o.output, [
    { path: o.input, what: 'input image' },
    ...(o.scribblePath ? [{ path: o.scribblePath, what: 'scribble mask' }] : []),
  ]);
  const { image } = await readImageFile(o.input, 'input image');
  if (o.scribblePath) o.prompts.push(...(await scribblePrompts(o.scribblePath, image)));
  // Check before loading the models: a typo in a coordinate should fail fast.
  if (o.prompts.length > 0 && promptsInsideImage(o.prompts, image.width, image.height).length === 0) {
    throw new PromptOutsideImageError(`${image.width}x${image.height}`);
  }
  await ensureOutputFolder(o.output);
  await matteToFile(o, image, log);
}
