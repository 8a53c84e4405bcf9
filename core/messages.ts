// The one place that defines what crosses between the Figma sandbox (src/) and the UI iframe (ui/).
// Messages are structured clones: one encoded image per message, never raw RGBA of many images.
import type { Prompt } from './prompt-types';

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
  /** The original encoded file (PNG or JPEG) from figma.getImageByHash(...).getBytesAsync(). */
  imageBytes: Uint8Array;
  width: number;
  height: number;
  prompts: Prompt[];
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

export type SandboxToUi = JobMessage | ErrorMessage | AppliedMessage | DoneMessage;

/** UI -> sandbox: the iframe has loaded and can take jobs. */
export interface UiReadyMessage {
  type: 'ui-ready';
}

/** UI -> sandbox: a button in the panel asks for a run on the current selection. */
export interface RunMessage {
  type: 'run';
  mode: MatteMode;
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

export type UiToSandbox = UiReadyMessage | RunMessage | ApplyMessage | SkipMessage | FailedMessage | CloseMessage;
