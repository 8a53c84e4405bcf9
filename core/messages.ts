// The one place that defines what crosses between the Figma sandbox (src/) and the UI iframe (ui/).
// Messages are structured clones: one encoded image per message, never raw RGBA of many images.
import type { Prompt } from './prompt-types';
import type { GraphRole } from './model-config';

export type MatteMode = 'auto' | 'prompts';
export type MatteOutput = 'cutout' | 'mask';

/** Sandbox -> UI: one image to matte. */
export interface JobMessage {
  type: 'job';
  jobId: string;
  mode: MatteMode;
  /** 0-based position of this image in the batch, and the batch size, for progress. */
  index: number;
  count: number;
  nodeId: string;
  nodeName: string;
  imageHash: string;
  /**
   * The original encoded file (PNG or JPEG) from figma.getImageByHash(...).getBytesAsync(); null
   * when the panel said it holds this image decoded (RunMessage.heldImageHash): a moved box or a
   * new click on the same photo then carries no photo at all.
   */
  imageBytes: Uint8Array | null;
  width: number;
  height: number;
  /**
   * Every prompt of `promptLayers`, in that order; empty in 'auto' mode. A "not this" click is a
   * point with `negative: true`; a job always has at least one prompt that is not.
   */
  prompts: Prompt[];
  /**
   * The layers these prompts came from, for the panel to list: the user may exclude one before
   * Apply, and Apply hides only the layers the panel still showed as prompts.
   */
  promptLayers: PromptLayer[];
  /**
   * Shapes the user drew over the image or selected that are not prompts, each with the reason, so
   * the panel can name them instead of dropping them without a word; empty in 'auto' mode.
   */
  unusedLayers: UnusedLayer[];
}

/** A canvas layer (rectangle, dot, stroke) read as prompts for one image. */
export interface PromptLayer {
  /** The layer's node id. */
  id: string;
  name: string;
  /** In source-image pixels, like JobMessage.prompts. */
  prompts: Prompt[];
}

/** Why a shape over the image (or a selected layer) gives no prompt. */
export type UnusedShapeReason =
  /** Over the layer but not over the picture (a FIT band, a crop), or nowhere near it. */
  | 'outside-image'
  | 'hidden'
  | 'in-hidden-layer'
  | 'locked'
  | 'in-locked-layer'
  /** A group above the image that was not selected: its shapes count only when it is selected. */
  | 'group'
  /** A selected layer that is no rectangle, ellipse, line or vector (text, a frame). */
  | 'not-a-shape'
  /** A polygon or star too large to read as a click. */
  | 'artwork'
  /** A degenerate transform or a path that cannot be read. */
  | 'unreadable'
  /** A rectangle or stroke named as a "not this" click: only a dot can say what to leave out. */
  | 'negative-not-a-dot';

/** A layer that is not used as a prompt, for the panel to name. */
export interface UnusedLayer {
  id: string;
  name: string;
  reason: UnusedShapeReason;
  /** For the user, following the layer's name: what is wrong and what to do ("is locked (unlock it…)"). */
  why: string;
}

/**
 * Sandbox -> UI: the one image the selection now holds, sent while no batch runs. A designer
 * selects a photo, then reaches for a button or draws a box over it; the panel decodes and encodes
 * the photo meanwhile, so the run that follows starts with its features (most of a new photo's
 * wait). The panel may ignore it: a run's job still carries the bytes unless the panel names the
 * image as held (RunMessage.heldImageHash).
 */
export interface SelectedImageMessage {
  type: 'selected-image';
  imageHash: string;
  imageBytes: Uint8Array;
  /** Figma's size of the image, as in JobMessage. */
  width: number;
  height: number;
}

/** Sandbox -> UI: a problem the user must see; nothing was written. */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

/** Sandbox -> UI: the matte was written as a new node. */
export interface AppliedMessage {
  type: 'applied';
  jobId: string;
  newNodeId: string;
}

/** Sandbox -> UI: the batch is over (all images applied or skipped). */
export interface DoneMessage {
  type: 'done';
}

/**
 * The binaries the UI needs. They travel inside dist/code.js, not dist/ui.html: Figma shows the UI
 * as a `data:` URL, which Chromium refuses over ~2 MB (see build.mjs).
 * 'ort-wasm' is onnxruntime-web's WASM-only binary; 'ort-wasm-webgpu' the larger one that also
 * carries the WebGPU execution provider, only worth its bytes where the page has WebGPU.
 */
export type AssetName = 'ort-wasm' | 'ort-wasm-webgpu' | 'model-config' | GraphRole;

/**
 * Sandbox -> UI: one piece of an asset. The asset is gzip, then base64 (so it can sit in a JS
 * string literal in code.js); `data` is `chunk index` of `count` pieces of that base64 text, each a
 * multiple of 4 characters so it decodes on its own. `rawBytes` is the size after gunzip.
 */
export interface AssetChunkMessage {
  type: 'asset-chunk';
  name: AssetName;
  index: number;
  count: number;
  rawBytes: number;
  data: string;
}

/** Sandbox -> UI: this build carries no such asset (e.g. built without models). */
export interface AssetMissingMessage {
  type: 'asset-missing';
  name: AssetName;
}

export type SandboxToUi =
  | JobMessage
  | SelectedImageMessage
  | ErrorMessage
  | AppliedMessage
  | DoneMessage
  | AssetChunkMessage
  | AssetMissingMessage;

/** UI -> sandbox: the iframe has loaded and can take jobs. */
export interface UiReadyMessage {
  type: 'ui-ready';
}

/** UI -> sandbox: a button in the panel asks for a run on the current selection. */
export interface RunMessage {
  type: 'run';
  mode: MatteMode;
  /**
   * The Figma image the panel holds decoded, if any. The run's first job on that image comes
   * without its bytes: reading them in the sandbox and copying them across costs more than the
   * model's answer to a moved box.
   */
  heldImageHash: string | null;
}

/**
 * UI -> sandbox: write this result. `pngBytes` is an RGBA PNG with straight alpha at full resolution
 * (the source image's exact width x height; the sandbox refuses any other size).
 * For `output: 'mask'` it is the matte itself as an opaque grey PNG (white = keep, black = drop):
 * the sandbox uses it as a LUMINANCE mask.
 */
export interface ApplyMessage {
  type: 'apply';
  jobId: string;
  pngBytes: Uint8Array;
  output: MatteOutput;
  /**
   * The ids of the job's prompt layers this result was computed from (those the user did not
   * exclude). The sandbox hides exactly these, and only if they were in the job.
   */
  promptLayerIds: string[];
}

/** UI -> sandbox: drop this job (Cancel) and move on to the next image, writing nothing. */
export interface SkipMessage {
  type: 'skip';
  jobId: string;
}

/** UI -> sandbox: the run failed in the UI (model load, decode, inference); nothing is written. */
export interface FailedMessage {
  type: 'failed';
  jobId: string | null;
  message: string;
}

/** UI -> sandbox: close the plugin. */
export interface CloseMessage {
  type: 'close';
}

/** UI -> sandbox: send these assets (in this order) as 'asset-chunk' / 'asset-missing' messages. */
export interface AssetsRequestMessage {
  type: 'assets-request';
  names: AssetName[];
}

export type UiToSandbox =
  | UiReadyMessage
  | RunMessage
  | ApplyMessage
  | SkipMessage
  | FailedMessage
  | CloseMessage
  | AssetsRequestMessage;
