// The panel's state machine: a pure reducer over sandbox messages and local events.
// Side effects (decoding, inference, posting messages) live in ui/controller.ts.
import type { JobMessage, MatteMode, MatteOutput, PromptLayer, SandboxToUi, UnusedLayer } from '../core/messages';
import type { Prompt } from '../core/prompt-types';
import { isNegativeClick } from '../core/prompts';
import type { Backend } from './backend';

export type ModelStatus = 'loading' | 'ready' | 'error';

export type JobPhase =
  | 'waiting-model' // job received, model still loading
  | 'decoding'
  | 'encoding'
  | 'matting'
  | 'refining' // a coarse matte on screen while the full-resolution one is made; nothing to apply yet
  | 'review' // result ready: Apply / Cancel
  | 'applying' // PNG sent, waiting for the sandbox
  | 'failed';

export interface JobView {
  jobId: string;
  mode: MatteMode;
  index: number;
  count: number;
  nodeName: string;
  imageHash: string;
  width: number;
  height: number;
  /** The prompts the model runs with: those of the layers the user did not exclude. */
  prompts: Prompt[];
  /** The canvas layers the prompts came from, as listed in the panel. */
  promptLayers: PromptLayer[];
  /** Shapes over the image that the sandbox did not use, with the reason, named in the panel. */
  unusedLayers: UnusedLayer[];
  /** Ids of listed layers the user excluded: not used by the model, not hidden by Apply. */
  excluded: string[];
  phase: JobPhase;
  error: string | null;
  /** Why the result on review is empty and cannot be applied; null when it has something in it. */
  emptyMatte: string | null;
  /** Milliseconds, per stage, for the last result. */
  timings: Record<string, number> | null;
  backendUsed: Backend | null;
}

export interface UiState {
  model: { status: ModelStatus; progress: number; label: string; error: string | null };
  backend: Backend | null;
  backendReason: string;
  /** Non-fatal information the user should see (e.g. "switched to WASM"). */
  notice: string | null;
  /** A problem reported by the sandbox or a failed job. */
  error: string | null;
  output: MatteOutput;
  /** Cut-out only: replace the old background's tint at soft edges with the subject's colour. */
  decontaminate: boolean;
  job: JobView | null;
  /** Jobs that arrived while another one was on screen. */
  queue: JobMessage[];
  /**
   * This batch so far. `applyClicks` counts Apply clicks (a job sent to be written), not confirmed
   * writes: a write that fails afterwards is reported by the sandbox as an error.
   */
  batch: { applyClicks: number; skipped: number; failed: number };
  /** The sandbox said the batch is over. */
  finished: boolean;
}

export type UiEvent =
  | { type: 'sandbox'; msg: SandboxToUi }
  | { type: 'model-progress'; progress: number; label: string }
  | { type: 'model-ready' }
  | { type: 'model-failed'; error: string }
  | { type: 'backend'; backend: Backend; reason?: string }
  | { type: 'notice'; message: string | null }
  | { type: 'phase'; jobId: string; phase: JobPhase }
  | {
      type: 'result';
      jobId: string;
      timings: Record<string, number> | null;
      backend: Backend;
      /** See JobView.emptyMatte. */
      emptyMatte?: string | null;
    }
  | { type: 'job-failed'; jobId: string; error: string }
  | { type: 'set-output'; output: MatteOutput }
  | { type: 'set-decontaminate'; on: boolean }
  | { type: 'apply'; jobId: string }
  | { type: 'toggle-layer'; jobId: string; layerId: string }
  | { type: 'skip'; jobId: string }
  | { type: 'run-requested' };

export const initialState: UiState = {
  model: { status: 'loading', progress: 0, label: 'Loading the model…', error: null },
  backend: null,
  backendReason: '',
  notice: null,
  error: null,
  output: 'cutout',
  decontaminate: true,
  job: null,
  queue: [],
  batch: { applyClicks: 0, skipped: 0, failed: 0 },
  finished: false,
};

export function jobView(msg: JobMessage, modelReady: boolean): JobView {
  return {
    jobId: msg.jobId,
    mode: msg.mode,
    index: msg.index,
    count: msg.count,
    nodeName: msg.nodeName,
    imageHash: msg.imageHash,
    width: msg.width,
    height: msg.height,
    prompts: msg.mode === 'prompts' ? msg.prompts : [],
    // A host that lists no layers (an older sandbox, the playground) still sends `prompts`; the
    // panel then has nothing to offer for exclusion.
    promptLayers: msg.mode === 'prompts' && Array.isArray(msg.promptLayers) ? msg.promptLayers : [],
    unusedLayers: Array.isArray(msg.unusedLayers) ? msg.unusedLayers : [],
    excluded: [],
    phase: modelReady ? 'decoding' : 'waiting-model',
    error: null,
    emptyMatte: null,
    timings: null,
    backendUsed: null,
  };
}

/** The listed layers the result is computed from: what Apply may hide. */
export function includedLayerIds(job: JobView): string[] {
  return job.promptLayers.filter((layer) => !job.excluded.includes(layer.id)).map((layer) => layer.id);
}

/** Excluding or including a layer changes the prompts; only a result on review can be re-run. */
function toggleLayer(job: JobView, layerId: string): JobView {
  if (job.phase !== 'review' || !job.promptLayers.some((layer) => layer.id === layerId)) return job;
  const excluded = job.excluded.includes(layerId)
    ? job.excluded.filter((id) => id !== layerId)
    : [...job.excluded, layerId];
  const prompts = job.promptLayers.filter((layer) => !excluded.includes(layer.id)).flatMap((layer) => layer.prompts);
  return { ...job, excluded, prompts, timings: null, emptyMatte: null };
}

/**
 * Whether the prompts say what to keep: "not this" clicks only say what to leave out, and the
 * model refuses them alone (core's OnlyNegativeClicksError).
 */
export function hasKeepPrompt(prompts: ReadonlyArray<Prompt>): boolean {
  return prompts.some((p) => !isNegativeClick(p));
}

/** A result is on review, it was computed from a prompt that says what to keep (in prompts mode), and it is not empty. */
export function canApply(job: JobView | null): boolean {
  if (job?.phase !== 'review' || job.emptyMatte !== null) return false;
  return job.mode !== 'prompts' || hasKeepPrompt(job.prompts);
}

/** True while the job on screen still needs the user or the sandbox; a new job then waits. */
export function isBusy(job: JobView | null): boolean {
  return job !== null && job.phase !== 'failed';
}

function onJob(state: UiState, msg: JobMessage): UiState {
  const startsBatch = msg.index === 0;
  const base: UiState = startsBatch
    ? { ...state, finished: false, error: null, batch: { applyClicks: 0, skipped: 0, failed: 0 } }
    : state;
  if (isBusy(state.job) && state.job!.jobId !== msg.jobId) {
    // The sandbox sends the next job only after it handled our apply (src/session/matte-session.ts),
    // and a new batch (index 0) means it dropped the old one: either way the new job takes the screen.
    if (startsBatch || state.job!.phase === 'applying') {
      return { ...base, queue: startsBatch ? [] : state.queue, job: jobView(msg, state.model.status === 'ready') };
    }
    // A sandbox that sends a whole batch at once: show the jobs one after the other.
    return { ...base, queue: [...state.queue, msg] };
  }
  return { ...base, job: jobView(msg, state.model.status === 'ready') };
}

/** Takes the next queued job onto the screen (after apply/skip/failure). */
function advance(state: UiState): UiState {
  if (state.queue.length === 0) return state;
  const [next, ...rest] = state.queue;
  return { ...state, queue: rest, job: jobView(next, state.model.status === 'ready') };
}

function updateJob(state: UiState, jobId: string, patch: Partial<JobView>): UiState {
  if (!state.job || state.job.jobId !== jobId) return state;
  return { ...state, job: { ...state.job, ...patch } };
}

function onSandboxMessage(state: UiState, msg: SandboxToUi): UiState {
  switch (msg.type) {
    case 'job':
      return onJob(state, msg);
    case 'error': {
      // A write that failed ends the job being applied; the message stays on screen.
      const withError = { ...state, error: msg.message };
      return state.job?.phase === 'applying' ? advance({ ...withError, job: null }) : withError;
    }
    case 'applied': {
      if (!state.job || state.job.jobId !== msg.jobId) return state;
      // The result is written: clear it off the screen and take the next queued job.
      return advance({ ...state, job: null });
    }
    case 'done':
      return { ...advance(state), finished: true };
    default:
      return state;
  }
}

export function reduce(state: UiState, ev: UiEvent): UiState {
  switch (ev.type) {
    case 'sandbox':
      return onSandboxMessage(state, ev.msg);
    case 'model-progress': {
      // The bar never goes back; a label with less progress than shown waits for the next one.
      if (ev.progress < state.model.progress && state.model.label) return state;
      return { ...state, model: { ...state.model, progress: ev.progress, label: ev.label } };
    }
    case 'model-ready': {
      const model = { status: 'ready' as const, progress: 1, label: 'Model ready', error: null };
      const job =
        state.job && state.job.phase === 'waiting-model' ? { ...state.job, phase: 'decoding' as const } : state.job;
      return { ...state, model, job };
    }
    case 'model-failed': {
      // Waiting jobs are failed one by one by the controller, which tells the sandbox about each.
      return { ...state, model: { ...state.model, status: 'error', error: ev.error, label: 'Model failed to load' } };
    }
    case 'backend':
      return { ...state, backend: ev.backend, backendReason: ev.reason ?? state.backendReason };
    case 'notice':
      return { ...state, notice: ev.message };
    case 'phase':
      return updateJob(state, ev.jobId, { phase: ev.phase });
    case 'result':
      return updateJob(state, ev.jobId, {
        phase: 'review',
        timings: ev.timings,
        backendUsed: ev.backend,
        error: null,
        emptyMatte: ev.emptyMatte ?? null,
      });
    case 'job-failed': {
      if (!state.job || state.job.jobId !== ev.jobId) return state;
      const failed = updateJob(state, ev.jobId, { phase: 'failed', error: ev.error });
      // The failed job stays on screen with its message unless another one is waiting.
      return advance({ ...failed, error: ev.error, batch: { ...state.batch, failed: state.batch.failed + 1 } });
    }
    case 'set-output':
      return { ...state, output: ev.output };
    case 'set-decontaminate':
      return state.decontaminate === ev.on ? state : { ...state, decontaminate: ev.on };
    case 'toggle-layer': {
      if (!state.job || state.job.jobId !== ev.jobId) return state;
      const job = toggleLayer(state.job, ev.layerId);
      return job === state.job ? state : { ...state, job };
    }
    case 'apply': {
      if (!state.job || state.job.jobId !== ev.jobId || state.job.phase !== 'review') return state;
      return {
        ...updateJob(state, ev.jobId, { phase: 'applying' }),
        batch: { ...state.batch, applyClicks: state.batch.applyClicks + 1 },
      };
    }
    case 'skip': {
      if (!state.job || state.job.jobId !== ev.jobId) return state;
      return advance({ ...state, job: null, batch: { ...state.batch, skipped: state.batch.skipped + 1 } });
    }
    case 'run-requested':
      return { ...state, error: null, finished: false, notice: state.notice };
    default:
      return state;
  }
}

/** One line for the status bar. */
export function statusLine(state: UiState): string {
  const job = state.job;
  if (job) {
    const of = job.count > 1 ? `Image ${job.index + 1} of ${job.count}: ` : '';
    switch (job.phase) {
      case 'waiting-model':
        return `${of}waiting for the model…`;
      case 'decoding':
        return `${of}reading the image…`;
      case 'encoding':
        return `${of}encoding the image…`;
      case 'matting':
        return `${of}computing the matte…`;
      case 'refining':
        return `${of}refining the matte…`;
      case 'review':
        if (job.mode === 'prompts' && job.prompts.length === 0)
          return `${of}every prompt layer is excluded: include one to compute a matte`;
        if (job.mode === 'prompts' && !hasKeepPrompt(job.prompts))
          return `${of}only "not this" dots are left: include a box, a dot or a stroke on the object to keep`;
        return job.emptyMatte ? `${of}the matte is empty: nothing to apply` : `${of}review the result`;
      case 'applying':
        return `${of}encoding the PNG and writing it to the canvas…`;
      case 'failed':
        return `${of}failed`;
    }
  }
  if (state.model.status === 'loading') return state.model.label;
  if (state.model.status === 'error') return 'The model failed to load';
  if (state.finished) {
    const { applyClicks, skipped, failed } = state.batch;
    const parts = [`${applyClicks} applied`];
    if (skipped) parts.push(`${skipped} skipped`);
    if (failed) parts.push(`${failed} failed`);
    return `Done: ${parts.join(', ')}`;
  }
  return 'Select an image in Figma, then choose a mode';
}
