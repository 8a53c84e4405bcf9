// Runs the two SMat graphs. The ORT module is a parameter so the same code serves
// onnxruntime-node (CLI, eval, bench) and onnxruntime-web (plugin iframe); nothing here touches
// fs or the DOM. The encoder is the expensive half, so its output is kept for the last image and
// a new prompt on that image re-runs only the head.
import type { Prompt } from './prompt-types';
import type { RgbaImage } from './rgba-image';
import type { SmatModelConfig } from './model-config';
import { parseModelConfig } from './model-config';
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
  encoder: Uint8Array;
  head: Uint8Array;
  /** Parsed or raw model.json. */
  config: SmatModelConfig | unknown;
  /** Passed to InferenceSession.create as it is, e.g. { executionProviders: ['webgpu', 'wasm'] }. */
  sessionOptions?: object;
  guided?: GuidedUpsampleOptions;
}

/** Time spent in each step of one call; a step that did not run in that call counts 0. */
export interface MatteTimings {
  /** Letterboxing and normalising the image; 0 when the cached encoding was reused. */
  preprocessMs: number;
  /** 0 when the cached features were reused. */
  encoderMs: number;
  /** Rasterising the prompts and running the head. */
  headMs: number;
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
 * A coarse matte to show while the full one is made: the head's similarity map over the image's
 * part of the letterbox, at the map's own resolution (a few pixels of the photo per value).
 */
export interface MattePreview {
  /** width*height, row-major, in [0,1]; covers the whole image. */
  alpha: Float32Array;
  width: number;
  height: number;
}

export interface MatteOptions {
  /** Identifies the image for the feature cache; without it the cache matches the same RgbaImage object only. */
  cacheKey?: string;
  /** Told as each step starts. */
  onStage?: (stage: MatteStage) => void;
  /** Given the coarse matte as soon as it exists, before the full-resolution one. */
  onPreview?: (preview: MattePreview) => void;
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

  private constructor(
    private readonly ort: OrtModuleLike,
    private readonly encoderSession: OrtSessionLike,
    private readonly headSession: OrtSessionLike,
    config: SmatModelConfig,
    private readonly guided: GuidedUpsampleOptions,
  ) {
    this.config = config;
  }

  static async create(options: SmatRunnerOptions): Promise<SmatRunner> {
    const config = parseModelConfig(options.config);
    const { ort } = options;
    // Sequential on purpose: on single-threaded WASM two parallel creates only interleave.
    const encoder = await ort.InferenceSession.create(options.encoder, options.sessionOptions);
    let head: OrtSessionLike;
    try {
      head = await ort.InferenceSession.create(options.head, options.sessionOptions);
    } catch (err) {
      await encoder.release();
      throw err;
    }
    checkNames('encoder', encoder, ['image'], ['features']);
    checkNames('head', head, ['features', 'image', 'prompt_mask', 'has_prompt'], ['alpha', 'similarity']);
    return new SmatRunner(ort, encoder, head, config, options.guided ?? {});
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
    const out = await this.headSession.run(this.headFeeds(enc.features, enc.imageTensor, raster, enc.box.scale));
    const alphaS = out.alpha.data as Float32Array;
    const similarity = Float32Array.from(out.similarity.data as Float32Array);
    const F = this.config.featureSize;
    if (similarity.length !== F * F) {
      throw new Error(
        `head gave a similarity map of ${similarity.length} values; model.json says featureSize ${F} (${F * F} values)`,
      );
    }
    const headMs = rasterMs + now() - tHead;
    const { box } = enc;
    options.onPreview?.(previewOfSimilarity(similarity, F, S, box));

    options.onStage?.('upsampling');
    const tPost = now();
    const upsampled = guidedUpsample(alphaS, S, box.contentWidth, box.contentHeight, image, this.guided);
    const alpha = raster.hasPrompt
      ? this.holdToPrompts(upsampled, image, inside, raster.mask, box.scale)
      : keepMainParts(upsampled, image.width, image.height);
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
        postprocessMs,
        totalMs: now() - t0,
        encoderCached: cached,
      },
    };
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
    const parts = keepPromptedParts(alpha, width, height, touched);
    const bounds = boxPromptBounds(prompts);
    return bounds ? fadeAlphaOutsideRect(parts, width, height, bounds) : parts;
  }

  /** The head's inputs; a head on SAM's interaction also reads the prompts as SAM's points. */
  private headFeeds(
    features: OrtTensorLike,
    image: OrtTensorLike,
    raster: RasterizedPrompts,
    scale: number,
  ): Record<string, OrtTensorLike> {
    const S = this.config.inputSize;
    const feeds: Record<string, OrtTensorLike> = {
      features,
      image,
      prompt_mask: new this.ort.Tensor('float32', raster.mask, [1, 1, S, S]),
      has_prompt: new this.ort.Tensor('float32', Float32Array.of(raster.hasPrompt ? 1 : 0), [1]),
    };
    if (this.headSession.inputNames.includes('point_coords')) {
      const points = samPoints(raster.inside, scale);
      const n = points.labels.length;
      feeds.point_coords = new this.ort.Tensor('float32', points.coords, [1, n, 2]);
      feeds.point_labels = new this.ort.Tensor('float32', points.labels, [1, n]);
    }
    return feeds;
  }

  /** Forget the cached features (e.g. the image's pixels changed under the same key). */
  clearCache(): void {
    this.cached = null;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.cached = null;
    await Promise.all([this.encoderSession.release(), this.headSession.release()]);
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
    const box = letterbox(image, S, this.config.mean, this.config.std);
    const imageTensor = new this.ort.Tensor('float32', box.tensor, [1, 3, S, S]);
    const preprocessMs = now() - tPre;
    const tEnc = now();
    const { features } = await this.encoderSession.run({ image: imageTensor });
    const encoderMs = now() - tEnc;
    const enc: Encoded = { key: cacheKey, image, box, imageTensor, features, preprocessMs, encoderMs };
    this.cached = enc;
    return { enc, cached: false };
  }

  private assertAlive(): void {
    if (this.released) throw new Error('SmatRunner was released');
  }
}

/** The similarity map's cells over the image (a cell the image only partly covers counts). */
export function previewOfSimilarity(
  similarity: Float32Array,
  size: number,
  inputSize: number,
  box: Letterbox,
): MattePreview {
  const width = Math.min(size, Math.ceil((box.contentWidth * size) / inputSize));
  const height = Math.min(size, Math.ceil((box.contentHeight * size) / inputSize));
  return { alpha: cropPlane(similarity, size, width, height), width, height };
}

function checkNames(which: string, session: OrtSessionLike, inputs: string[], outputs: string[]): void {
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
