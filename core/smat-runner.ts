// Runs the SMat graphs: the encoder, then the head as one of its two candidates (the saliency one
// for an automatic matte, SAM's interaction for a prompted one), its decoder and, for an automatic
// matte, its edge refiner. The ORT module is a parameter so the same code serves onnxruntime-node
// (CLI, eval, bench) and onnxruntime-web (plugin iframe); nothing here touches fs or the DOM. The
// encoder is the expensive part, so its output is kept for the last image and a new prompt on that
// image re-runs only the head; the candidates are cheap, so their map is offered as a preview
// before the decoder runs.
import type { Prompt } from './prompt-types';
import type { RgbaImage } from './rgba-image';
import type { ArrivingGraphs, GraphRole, ModelGraphs, SmatModelConfig } from './model-config';
import { GRAPH_ROLES, parseModelConfig } from './model-config';
import { letterbox, type Letterbox } from './letterbox';
import { rasterizePrompts, type RasterizedPrompts } from './prompts';
import { samPoints } from './sam-points';
import { guidedUpsample, type GuidedUpsampleOptions } from './guided-upsample';
import { boxPromptBounds, fadeAlphaOutsideRect } from './fade-alpha-outside-box';
import { keepPromptedParts, promptMaskAtSource } from './keep-prompted-parts';
import { keepMainParts } from './keep-main-parts';
import { OnlyNegativeClicksError, PromptOutsideImageError } from './errors';
import { now } from './now';
import { cropPlane } from './crop-plane';
import { unpackGraph } from './unpack-graph';
import { Scratch } from './scratch';
import { resamplePlanes } from './resample';

/** The slice of an ORT tensor this runner reads. */
export interface OrtTensorLike {
  readonly dims: readonly number[];
  readonly type: string;
  readonly data: unknown;
}

export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/** Structural type satisfied by both `onnxruntime-node` and `onnxruntime-web` (and their /wasm, /webgpu entries). */
export interface OrtModuleLike {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensorLike;
  InferenceSession: {
    // Each ORT package has its own SessionOptions type; this module only passes the caller's along.
    create(model: Uint8Array, options?: object): Promise<OrtSessionLike>;
  };
}

export interface SmatRunnerOptions {
  ort: OrtModuleLike;
  graphs: ModelGraphs | ArrivingGraphs;
  /** Parsed or raw model.json. */
  config: SmatModelConfig | unknown;
  /** Passed to InferenceSession.create as it is, e.g. { executionProviders: ['webgpu', 'wasm'] }. */
  sessionOptions?: object;
  guided?: GuidedUpsampleOptions;
  /** Called as each graph's session is made (the plugin marks it for the harness's timings). */
  onSessionMade?: (role: GraphRole) => void;
}

/** Time spent in each step of one call; a step that did not run in that call counts 0. */
export interface MatteTimings {
  /** Letterboxing and normalising the image; 0 when the cached encoding was reused. */
  preprocessMs: number;
  /** 0 when the cached features were reused. */
  encoderMs: number;
  /** Rasterising the prompts and running the head (both of its graphs). */
  headMs: number;
  /** Rasterising the prompts and the candidate's graph (part of headMs): when the preview was ready. */
  similarityMs: number;
  postprocessMs: number;
  totalMs: number;
  encoderCached: boolean;
}

export interface MatteResult {
  /** width*height, row-major, in [0,1], at the source resolution. */
  alpha: Float32Array;
  width: number;
  height: number;
  /** The head's [featureSize x featureSize] similarity map (model.json), row-major, over the whole letterboxed square. */
  similarity: Float32Array;
  similaritySize: number;
  /** False when the run was automatic (no prompt touched the image). */
  hasPrompt: boolean;
  timings: MatteTimings;
}

/**
 * The step a run is in: the encoder (only when its output is not cached), the head, then the
 * upsampling and clean-up at the photo's resolution, which run on the CPU whatever the backend.
 */
export type MatteStage = 'encoding' | 'matting' | 'upsampling';

/**
 * A coarse matte to show while the full one is made: the candidate's similarity logit over the
 * image's part of the letterbox, as probabilities, at its own resolution (1/4 of the model's input).
 */
export interface MattePreview {
  /** width*height, row-major, in [0,1]; covers the whole image. */
  alpha: Float32Array;
  width: number;
  height: number;
}

export type PreviewHandler = (preview: MattePreview) => void | Promise<void>;

export interface MatteOptions {
  /** Identifies the image for the feature cache; without it the cache matches the same RgbaImage object only. */
  cacheKey?: string;
  /** Told as each step starts. */
  onStage?: (stage: MatteStage) => void;
  /**
   * Given the coarse matte as soon as it exists, before the decoder runs. The run waits for what
   * it returns: on single-threaded WASM the decoder holds the page's only thread, so a panel
   * returns a wait for its next paint to get the preview on screen first.
   */
  onPreview?: PreviewHandler;
}

/**
 * A matte's post-processing (guided upsampling, then the automatic and the prompted clean-up) once
 * on a small image with a soft-edged matte, given at half its size as the model's output would be:
 * run as the panel starts, while the model loads, so that the first photo's runs compiled code.
 */
export function warmUpPostprocessing(image: RgbaImage, alpha: Float32Array): void {
  const { width, height } = image;
  const size = Math.max(1, Math.floor(width / 2));
  const small = resamplePlanes(alpha, width, height, size, size, 1);
  const scratch = new Scratch();
  const upsampled = guidedUpsample(small, size, size, size, image, {}, scratch);
  keepMainParts(upsampled, width, height, undefined, scratch);
  const touched = new Uint8Array(width * height);
  touched[(height >> 1) * width + (width >> 1)] = 1;
  const parts = keepPromptedParts(upsampled, width, height, touched, scratch);
  fadeAlphaOutsideRect(parts, width, height, {
    x0: width / 4,
    y0: height / 4,
    x1: (3 * width) / 4,
    y1: (3 * height) / 4,
  });
}

interface Encoded {
  key: string | undefined;
  image: RgbaImage;
  box: Letterbox;
  imageTensor: OrtTensorLike;
  features: OrtTensorLike;
  preprocessMs: number;
  encoderMs: number;
}

export class SmatRunner {
  readonly config: SmatModelConfig;
  private cached: Encoded | null = null;
  private released = false;
  /** The post-processing's temporaries, kept from one matte to the next (core/scratch.ts). */
  private readonly scratch = new Scratch();

  private constructor(
    private readonly ort: OrtModuleLike,
    private readonly sessions: Record<GraphRole, Promise<OrtSessionLike>>,
    config: SmatModelConfig,
    private readonly guided: GuidedUpsampleOptions,
  ) {
    this.config = config;
  }

  /**
   * Resolves once the encoder's session exists. The other sessions are made after it, one at a
   * time (on single-threaded WASM parallel creates only interleave), each once its graph is in, and
   * a run waits for the ones it needs: a first job's encoder runs while the head's graphs arrive.
   * `loaded()` tells when all are made or which one failed.
   */
  static async create(options: SmatRunnerOptions): Promise<SmatRunner> {
    const config = parseModelConfig(options.config);
    const { ort, graphs } = options;
    const sessions = {} as Record<GraphRole, Promise<OrtSessionLike>>;
    let previous: Promise<unknown> = Promise.resolve();
    for (const role of GRAPH_ROLES) {
      // A session after a failed one is never made: its failure is that one's.
      const made = previous.then(async () => {
        const session = await ort.InferenceSession.create(unpackGraph(await graphs[role]), options.sessionOptions);
        try {
          checkNames(role, session, GRAPH_CONTRACT[role]);
        } catch (err) {
          await session.release();
          throw err;
        }
        options.onSessionMade?.(role);
        return session;
      });
      made.catch(() => {});
      sessions[role] = made;
      previous = made;
    }
    try {
      await sessions.encoder;
    } catch (err) {
      await releaseAll(sessions);
      throw err;
    }
    return new SmatRunner(ort, sessions, config, options.guided ?? {});
  }

  /** Resolves once every graph's session exists; rejects with the first that failed. */
  async loaded(): Promise<void> {
    await Promise.all(Object.values(this.sessions));
  }

  get inputSize(): number {
    return this.config.inputSize;
  }

  async matte(image: RgbaImage, prompts: Prompt[], options: MatteOptions = {}): Promise<MatteResult> {
    this.assertAlive();
    const t0 = now();
    const S = this.config.inputSize;
    // Refused before the encoder runs, so that a refusal costs no inference.
    const raster = rasterizePrompts(prompts, image.width, image.height, S, this.config);
    const { inside } = raster;
    if (prompts.length > 0 && inside.length === 0) throw new PromptOutsideImageError();
    if (inside.length > 0 && !raster.hasPrompt) throw new OnlyNegativeClicksError();
    const rasterMs = now() - t0;
    const { enc, cached } = await this.encoded(image, options.cacheKey, options.onStage);

    options.onStage?.('matting');
    const tHead = now();
    const F = this.config.featureSize;
    const stage = raster.hasPrompt
      ? await (await this.sessions.prompted).run(this.promptedFeeds(enc.features, raster, enc.box.scale))
      : {
          ...(await (await this.sessions.saliency).run({ features: enc.features })),
          // An automatic matte has no prompt to cover any cell.
          prompt_weights: new this.ort.Tensor('float32', new Float32Array(F * F), [1, 1, F, F]),
        };
    const similarity = Float32Array.from(stage.similarity.data as Float32Array);
    if (similarity.length !== F * F) {
      throw new Error(
        `the head's candidate gave a map of ${similarity.length} values; model.json says featureSize ${F} (${F * F} values)`,
      );
    }
    const similarityMs = now() - tHead;
    const { box } = enc;
    await options.onPreview?.(previewOfLogit(stage.similarity_logit, S, box));
    const { logit } = await (await this.sessions.decoder).run({
      features: enc.features,
      image: enc.imageTensor,
      similarity: stage.similarity,
      similarity_logit: stage.similarity_logit,
      prompt_weights: stage.prompt_weights,
    });
    // The edge refiner corrects automatic mattes only (on prompted ones it cost IoU: training log).
    const alphaS = raster.hasPrompt
      ? sigmoid(logit.data as Float32Array)
      : ((await (await this.sessions.refiner).run({ image: enc.imageTensor, logit })).alpha.data as Float32Array);
    const headMs = rasterMs + now() - tHead;

    options.onStage?.('upsampling');
    const tPost = now();
    const upsampled = guidedUpsample(alphaS, S, box.contentWidth, box.contentHeight, image, this.guided, this.scratch);
    const alpha = raster.hasPrompt
      ? this.holdToPrompts(upsampled, image, inside, raster.mask, box.scale)
      : keepMainParts(upsampled, image.width, image.height, undefined, this.scratch);
    const postprocessMs = now() - tPost;

    return {
      alpha,
      width: image.width,
      height: image.height,
      similarity,
      similaritySize: F,
      hasPrompt: raster.hasPrompt,
      timings: {
        preprocessMs: cached ? 0 : enc.preprocessMs,
        encoderMs: cached ? 0 : enc.encoderMs,
        headMs,
        similarityMs: rasterMs + similarityMs,
        postprocessMs,
        totalMs: now() - t0,
        encoderCached: cached,
      },
    };
  }

  /**
   * Runs the encoder on `image` now and keeps its features for the next matte with the same cache
   * key: the panel encodes the photo a designer selected before they ask for a matte. False when
   * they were kept already.
   */
  async encode(image: RgbaImage, cacheKey: string): Promise<boolean> {
    return !(await this.encoded(image, cacheKey, undefined)).cached;
  }

  /** Resolves once the prompted candidate's session is made; rejects with its failure. */
  async promptedReady(): Promise<void> {
    await this.sessions.prompted;
  }

  /**
   * Runs the prompted candidate once, on the last image's features with a box over its middle, and
   * keeps nothing: on one WASM thread its first two runs take 2-3x as long as later ones (the
   * runtime compiles the code they reach), which a designer's first boxes would otherwise pay.
   * False, having run nothing, when no image has been encoded yet.
   */
  async warmUpPrompted(): Promise<boolean> {
    this.assertAlive();
    const session = await this.sessions.prompted;
    const enc = this.cached;
    if (!enc) return false;
    const { width, height } = enc.image;
    const box: Prompt = { kind: 'box', x: width / 4, y: height / 4, width: width / 2, height: height / 2 };
    const raster = rasterizePrompts([box], width, height, this.config.inputSize, this.config);
    await session.run(this.promptedFeeds(enc.features, raster, enc.box.scale));
    return true;
  }

  /** The matte limited to what the prompts (those inside the image) point at: the box's extent, the parts they touch. */
  private holdToPrompts(
    alpha: Float32Array,
    image: RgbaImage,
    prompts: Prompt[],
    mask: Float32Array,
    scale: number,
  ): Float32Array {
    const { width, height } = image;
    const touched = promptMaskAtSource(mask, this.config.inputSize, scale, width, height);
    const parts = keepPromptedParts(alpha, width, height, touched, this.scratch);
    const bounds = boxPromptBounds(prompts);
    return bounds ? fadeAlphaOutsideRect(parts, width, height, bounds) : parts;
  }

  /** The prompted candidate's inputs: the prompts as a mask and as SAM's points. */
  private promptedFeeds(
    features: OrtTensorLike,
    raster: RasterizedPrompts,
    scale: number,
  ): Record<string, OrtTensorLike> {
    const S = this.config.inputSize;
    const points = samPoints(raster.inside, scale);
    const n = points.labels.length;
    return {
      features,
      prompt_mask: new this.ort.Tensor('float32', raster.mask, [1, 1, S, S]),
      point_coords: new this.ort.Tensor('float32', points.coords, [1, n, 2]),
      point_labels: new this.ort.Tensor('float32', points.labels, [1, n]),
    };
  }

  /** Forget the cached features (e.g. the image's pixels changed under the same key). */
  clearCache(): void {
    this.cached = null;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.cached = null;
    await releaseAll(this.sessions);
  }

  /** The encoder's output for `image`: the cached one when the last image had the same cache key (or is the same object). */
  private async encoded(
    image: RgbaImage,
    cacheKey: string | undefined,
    onStage: MatteOptions['onStage'],
  ): Promise<{ enc: Encoded; cached: boolean }> {
    this.assertAlive();
    const hit = this.cached;
    if (hit && (cacheKey !== undefined ? hit.key === cacheKey : hit.key === undefined && hit.image === image)) {
      if (hit.image.width !== image.width || hit.image.height !== image.height) {
        throw new Error(
          `cache key "${cacheKey}" was used for a ${hit.image.width}x${hit.image.height} image, now ${image.width}x${image.height}`,
        );
      }
      return { enc: hit, cached: true };
    }
    this.cached = null;
    onStage?.('encoding');
    const S = this.config.inputSize;
    const tPre = now();
    const box = letterbox(image, S, this.config.mean, this.config.std, this.scratch);
    const imageTensor = new this.ort.Tensor('float32', box.tensor, [1, 3, S, S]);
    const preprocessMs = now() - tPre;
    const tEnc = now();
    const { features } = await (await this.sessions.encoder).run({ image: imageTensor });
    const encoderMs = now() - tEnc;
    const enc: Encoded = { key: cacheKey, image, box, imageTensor, features, preprocessMs, encoderMs };
    this.cached = enc;
    return { enc, cached: false };
  }

  private assertAlive(): void {
    if (this.released) throw new Error('SmatRunner was released');
  }
}

const SIMILARITY_OUTPUTS = ['similarity', 'similarity_logit'];
/** The tensor names each graph must have (docs/ARCHITECTURE.md). */
const GRAPH_CONTRACT: Record<GraphRole, { inputs: string[]; outputs: string[] }> = {
  encoder: { inputs: ['image'], outputs: ['features'] },
  saliency: { inputs: ['features'], outputs: SIMILARITY_OUTPUTS },
  prompted: {
    inputs: ['features', 'prompt_mask', 'point_coords', 'point_labels'],
    outputs: [...SIMILARITY_OUTPUTS, 'prompt_weights'],
  },
  decoder: { inputs: ['features', 'image', ...SIMILARITY_OUTPUTS, 'prompt_weights'], outputs: ['logit'] },
  refiner: { inputs: ['image', 'logit'], outputs: ['alpha'] },
};

function sigmoid(logit: Float32Array): Float32Array {
  const out = new Float32Array(logit.length);
  for (let i = 0; i < logit.length; i++) out[i] = 1 / (1 + Math.exp(-logit[i]));
  return out;
}

/** The similarity logit's cells over the image (a cell the image only partly covers counts), as probabilities. */
function previewOfLogit(logit: OrtTensorLike, inputSize: number, box: Letterbox): MattePreview {
  const size = logit.dims[logit.dims.length - 1];
  const width = Math.min(size, Math.ceil((box.contentWidth * size) / inputSize));
  const height = Math.min(size, Math.ceil((box.contentHeight * size) / inputSize));
  return { alpha: sigmoid(cropPlane(logit.data as Float32Array, size, width, height)), width, height };
}

/** Releases the sessions made, once those being made are done; a failed one has none to release. */
async function releaseAll(sessions: Record<GraphRole, Promise<OrtSessionLike>>): Promise<void> {
  await Promise.all(
    Object.values(sessions).map((made) =>
      made.then(
        (s) => s.release(),
        () => {},
      ),
    ),
  );
}

function checkNames(
  which: string,
  session: OrtSessionLike,
  { inputs, outputs }: { inputs: string[]; outputs: string[] },
): void {
  const missingIn = inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = outputs.filter((n) => !session.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    throw new Error(
      `${which} model does not match the SMat contract: ` +
        [
          missingIn.length ? `missing inputs ${missingIn.join(', ')}` : '',
          missingOut.length ? `missing outputs ${missingOut.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ') +
        ` (has inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')})`,
    );
  }
}
