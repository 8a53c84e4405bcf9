// Side effects of the panel: model loading, decoding, inference, output PNGs and messages to the
// sandbox. The state transitions themselves are the pure reducer in ui/state.ts.
import type { MatteMode, MatteOutput, SandboxToUi, SelectedImageMessage, UiToSandbox } from '../core/messages';
import type { RgbaImage } from '../core/rgba-image';
import type { SmatModelConfig } from '../core/model-config';
import type { MattePreview, MatteTimings } from '../core/smat-runner';
import { decodeImage } from '../core/image-codecs';
import { degenerateImageReason } from '../core/letterbox';
import { errorMessage, OnlyNegativeClicksError, PromptOutsideImageError } from '../core/errors';
import { now } from '../core/now';
import type { Backend, BackendChoice } from './backend';
import { FallbackRunner, type RunnerFactory } from './fallback-runner';
import { coarseMatteDisplay } from './coarse-matte-display';
import { emptyMatteMessage } from './empty-matte';
import { isEmptyMatte } from '../core/empty-matte';
import { imageSizeRefusal } from './image-size-refusal';
import { LastDecodedImage } from './last-decoded-image';
import { ResultPngCache, type ResultPngMaker } from './result-png';
import { downscaleForDisplay, fitSize, mattePreviews } from './preview';
import {
  canApply,
  hasKeepPrompt,
  includedLayerIds,
  initialState,
  reduce,
  type JobView,
  type UiEvent,
  type UiState,
} from './state';

/** Longest side of the images drawn in the panel. */
export const DISPLAY_MAX_SIDE = 720;
/**
 * The panel's cut-out estimates its edge colours at most this long side: it is a preview (Apply's
 * PNG solves them at the photo's size, in a worker), and solving a 720 px preview in full held
 * each matte back from the screen by 0.25-0.4 s on the page's one thread.
 */
export const PREVIEW_FOREGROUND_SIDE = 360;

/** The panel without a job for this long counts as idle (Controller.promptedWanted). */
export const PROMPTED_IDLE_MS = 1000;

/**
 * Runs of the prompted candidate after which its runs are fast (SmatRunner.warmUpPrompted): the
 * panel makes up the difference with throw-away runs while it idles. Not while a matte is on
 * screen: a run there held up an Apply or Cancel clicked at once by up to 0.3 s.
 */
export const PROMPTED_WARM_RUNS = 2;

export interface LoadedModel {
  factory: RunnerFactory;
  /** The parsed model.json: the panel draws point prompts at the model's own radius. */
  config: SmatModelConfig;
}

export interface ControllerDeps {
  post: (msg: UiToSandbox) => void;
  /** Picks the backend (WebGPU if an adapter exists). */
  detectBackend: () => Promise<BackendChoice>;
  /** Decompresses the inlined model and runtime; reports progress in [0,1]. */
  loadModel: (progress: (p: number, label: string) => void) => Promise<LoadedModel>;
  /** Optional fast decode for the panel only (the browser's decoder, off the main thread). */
  decodeForDisplay?: (bytes: Uint8Array, maxSide: number) => Promise<RgbaImage | null>;
  /** Lets the browser paint a progress change before a long synchronous stretch. */
  yieldToPaint?: () => Promise<void>;
  /** Makes Apply's PNG (default: on the page's thread, when Apply is clicked). */
  resultPng?: ResultPngMaker;
  /** Default PROMPTED_IDLE_MS. */
  promptedIdleMs?: number;
  /** Runs the panel's image code once on a small image (ui/warm-up-image-code.ts). */
  warmUp?: () => void;
}

export interface DisplayImages {
  source: RgbaImage | null;
  cutout: RgbaImage | null;
  mask: RgbaImage | null;
  /** Bumped whenever an image above changes. */
  version: number;
}

interface ActiveJob {
  jobId: string;
  source: RgbaImage;
  alpha: Float32Array | null;
}

/** What the user reads when the model refuses or fails: their drawing's problem in their words, else the model's. */
function matteFailure(err: unknown, nodeName: string): string {
  if (err instanceof PromptOutsideImageError)
    return `Every prompt for “${nodeName}” lies outside the image: draw the box, dots or stroke over the photo.`;
  if (err instanceof OnlyNegativeClicksError)
    return `The prompts for “${nodeName}” are all "not this" dots: add a box, a dot or a stroke on the object to keep.`;
  return `The model failed on “${nodeName}”: ${errorMessage(err)}`;
}

/** The timings the panel shows under the result. */
function panelTimings(t: MatteTimings): Record<string, number> {
  return {
    // The panel's "encoder" is the whole encode step, letterboxing included.
    encoder: t.preprocessMs + t.encoderMs,
    head: t.headMs,
    post: t.postprocessMs,
    total: t.totalMs,
    cached: t.encoderCached ? 1 : 0,
  };
}

export class Controller {
  state: UiState = initialState;
  display: DisplayImages = { source: null, cutout: null, mask: null, version: 0 };
  /** A waiting job's photo being decoded while the model loads (decodeEarly). */
  private early: { jobId: string; source: Promise<RgbaImage | null> } | null = null;
  /** The model, once loaded; on WebGPU or WASM. */
  runner: FallbackRunner | null = null;
  /** Known once the model's files have arrived; null before. */
  modelConfig: SmatModelConfig | null = null;
  private listeners = new Set<() => void>();
  private started = new Set<string>();
  private reported = new Set<string>();
  private active: ActiveJob | null = null;
  private pendingBytes = new Map<string, Uint8Array | null>();
  private decoded = new LastDecodedImage();
  private readonly resultPng: ResultPngCache;
  private chain: Promise<void> = Promise.resolve();
  /** [step, ms since the job arrived], for diagnostics (window.__smat.trace). */
  trace: [string, number][] = [];
  private traceStart = 0;

  /**
   * Resolves when the prompted candidate's session should be made: a job with prompts needs it, or
   * the panel has had no job for PROMPTED_IDLE_MS. Made as soon as its graph is in, it took the
   * page's thread (0.5 s) just as a cold Auto Matte's first matte showed, when Apply may be pressed.
   */
  readonly promptedWanted: Promise<void>;
  private wantPrompted!: () => void;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** Runs of the prompted candidate so far, a job's or throw-away (PROMPTED_WARM_RUNS). */
  private promptedRuns = 0;
  private warmingUp = false;
  /** The selection's image the sandbox offered last, until it is prepared (prepareSelected). */
  private selected: SelectedImageMessage | null = null;
  /** For diagnostics: the image last encoded ahead of a run (prepareSelected). */
  preparedImageHash: string | null = null;
  private preparing = false;

  constructor(private readonly deps: ControllerDeps) {
    this.resultPng = new ResultPngCache(deps.resultPng);
    this.promptedWanted = new Promise((resolve) => (this.wantPrompted = resolve));
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  dispatch(ev: UiEvent): void {
    const next = reduce(this.state, ev);
    if (next === this.state) return;
    this.state = next;
    for (const fn of this.listeners) fn();
    this.pump();
  }

  /** Tells the sandbox we are here, then loads the model in the background. */
  async start(): Promise<void> {
    this.deps.post({ type: 'ui-ready' });
    let choice: BackendChoice;
    try {
      choice = await this.deps.detectBackend();
    } catch (err) {
      choice = { backend: 'wasm', reason: errorMessage(err) };
    }
    this.dispatch({ type: 'backend', backend: choice.backend, reason: choice.reason });
    try {
      const loading = this.deps.loadModel((p, label) => this.dispatch({ type: 'model-progress', progress: p, label }));
      // After the model is asked for (loadModel's first steps), while its bytes stream in.
      const { warmUp } = this.deps;
      if (warmUp) setTimeout(warmUp, 0);
      const { factory, config } = await loading;
      this.modelConfig = config;
      // A job already waiting can have its photo decoded now (decodeEarly).
      this.pump();
      await this.yieldToPaint();
      const runner = new FallbackRunner(factory, choice.backend, (e) => {
        if (e.type === 'backend') this.dispatch({ type: 'backend', backend: e.backend });
        else if (e.type === 'notice') this.dispatch({ type: 'notice', message: e.message });
        // Upsampling finishes the matte: the panel keeps saying "matting" until the result shows,
        // and "refining" once the coarse matte shows, whichever step the runner is at then.
        else if (e.type === 'stage' && e.stage !== 'upsampling' && this.active && this.state.job?.phase !== 'refining')
          this.dispatch({ type: 'phase', jobId: this.active.jobId, phase: e.stage });
      });
      await runner.load();
      this.runner = runner;
      this.dispatch({ type: 'model-ready' });
      this.queuePrepareSelected();
      // Ready means the encoder's session: a graph that fails after it fails the model all the same.
      await runner.loaded();
    } catch (err) {
      this.dispatch({ type: 'model-failed', error: errorMessage(err) });
    }
  }

  /** A message from the sandbox (`event.data.pluginMessage`). */
  onSandboxMessage(msg: SandboxToUi | undefined | null): void {
    if (!msg || typeof msg !== 'object' || typeof (msg as { type?: unknown }).type !== 'string') return;
    if (msg.type === 'selected-image') {
      if (!(msg.imageBytes instanceof Uint8Array)) return;
      this.selected = msg;
      this.queuePrepareSelected();
      return;
    }
    if (msg.type === 'job')
      this.pendingBytes.set(msg.jobId, msg.imageBytes instanceof Uint8Array ? msg.imageBytes : null);
    this.dispatch({ type: 'sandbox', msg });
  }

  requestRun(mode: MatteMode): void {
    this.dispatch({ type: 'run-requested' });
    this.deps.post({ type: 'run', mode, heldImageHash: this.decoded.imageHash });
  }

  setOutput(output: MatteOutput): void {
    this.dispatch({ type: 'set-output', output });
  }

  /** Colour decontamination of the cut-out on or off; the preview on screen follows. */
  setDecontaminate(on: boolean): void {
    const before = this.state.decontaminate;
    this.dispatch({ type: 'set-decontaminate', on });
    const active = this.active;
    if (this.state.decontaminate === before || !active?.alpha || !this.display.cutout) return;
    this.makePreviews(active.source, active.alpha);
    this.notify();
  }

  /** Builds the full-resolution PNG with core's composite + fast-png and sends it. */
  async apply(): Promise<void> {
    const job = this.state.job;
    const active = this.active;
    if (!job || !canApply(job) || !active || active.jobId !== job.jobId || !active.alpha) return;
    const output = this.state.output;
    const { source, alpha } = active;
    this.dispatch({ type: 'apply', jobId: job.jobId });
    this.mark('apply-clicked');
    const inputs = { source, alpha, output, decontaminate: this.state.decontaminate };
    if (!this.resultPng.has(inputs)) await this.yieldToPaint();
    let pngBytes: Uint8Array;
    try {
      pngBytes = await this.resultPng.get(inputs);
      this.mark('png-ready');
    } catch (err) {
      this.fail(job.jobId, `Could not encode the result: ${errorMessage(err)}`);
      return;
    }
    this.deps.post({ type: 'apply', jobId: job.jobId, pngBytes, output, promptLayerIds: includedLayerIds(job) });
  }

  /**
   * Excludes a listed prompt layer from the result (or includes it again) and re-runs the model
   * with the remaining prompts; the image's features are cached, so only the head runs.
   */
  toggleLayer(layerId: string): void {
    const before = this.state.job;
    if (before?.phase !== 'review') return;
    this.dispatch({ type: 'toggle-layer', jobId: before.jobId, layerId });
    const job = this.state.job;
    const active = this.active;
    if (!job || job === before || !active || active.jobId !== job.jobId) return;
    // The matte on screen was made with the old prompts: it must not be applied any more.
    active.alpha = null;
    this.display = { ...this.display, cutout: null, mask: null, version: this.display.version + 1 };
    // Nothing left that says what to keep: the status line asks for it, and the model would refuse.
    if (!hasKeepPrompt(job.prompts)) {
      this.notify();
      return;
    }
    this.dispatch({ type: 'phase', jobId: job.jobId, phase: 'matting' });
    this.chain = this.chain.then(() => this.matteActive(job.jobId)).catch(() => {});
  }

  /** Cancel = skip this image: nothing is written, the sandbox moves on. */
  skip(): void {
    const job = this.state.job;
    if (!job) return;
    if (job.phase === 'applying') return;
    if (job.phase !== 'failed') this.deps.post({ type: 'skip', jobId: job.jobId });
    this.clearActive();
    this.dispatch({ type: 'skip', jobId: job.jobId });
  }

  close(): void {
    this.deps.post({ type: 'close' });
  }

  /** Starts whatever the current state allows: the next job once the model is ready, or its failure. */
  private pump(): void {
    const job = this.state.job;
    if (!job) {
      if (this.active) this.clearActive();
      this.armIdleTimer();
      return;
    }
    this.stopIdleTimer();
    if (job.mode === 'prompts') this.wantPrompted();
    const model = this.state.model.status;
    if (job.phase === 'waiting-model' && model === 'error') {
      this.fail(job.jobId, `Model failed to load: ${this.state.model.error ?? 'unknown error'}`);
      return;
    }
    if (job.phase === 'waiting-model' && this.modelConfig && this.early?.jobId !== job.jobId) this.decodeEarly(job);
    if (job.phase === 'decoding' && model === 'ready' && !this.started.has(job.jobId)) {
      this.started.add(job.jobId);
      // One job at a time on the model; a superseded job's result is dropped.
      if (this.active && this.active.jobId !== job.jobId) this.clearActive();
      this.chain = this.chain.then(() => this.runJob(job.jobId)).catch(() => {});
    }
  }

  /**
   * The panel is idle once it has had no job for PROMPTED_IDLE_MS, a photo being prepared counting
   * as a job: the designer is about to ask for it, and idle work then held up the job that came.
   */
  private armIdleTimer(): void {
    if (this.preparing) return;
    this.idleTimer ??= setTimeout(() => this.onIdle(), this.deps.promptedIdleMs ?? PROMPTED_IDLE_MS);
  }

  private stopIdleTimer(): void {
    if (this.idleTimer === null) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private onIdle(): void {
    this.idleTimer = null;
    this.wantPrompted();
    void this.warmUpPrompted();
  }

  /**
   * Throw-away runs of the prompted candidate until it has run PROMPTED_WARM_RUNS times, once its
   * session is made: one at a time on the job chain, and only while the panel has no job, so a job
   * that comes meanwhile waits for at most the run under way. A failure is left for the next real
   * run to meet and report.
   */
  private async warmUpPrompted(): Promise<void> {
    const runner = this.runner;
    if (!runner || this.warmingUp) return;
    this.warmingUp = true;
    try {
      await runner.promptedReady();
      while (this.promptedRuns < PROMPTED_WARM_RUNS) {
        const ran = this.chain.then(async () => this.state.job === null && (await runner.warmUpPrompted()));
        this.chain = ran.then(
          () => {},
          () => {},
        );
        if (!(await ran)) return;
        this.promptedRuns++;
      }
    } catch {
      // The next real run meets it.
    } finally {
      this.warmingUp = false;
    }
  }

  /** Prepares the offered image on the job chain, behind what is on it, once the model can run. */
  private queuePrepareSelected(): void {
    if (!this.selected || !this.runner) return;
    this.chain = this.chain.then(() => this.prepareSelected()).catch(() => {});
  }

  /**
   * Decodes the image the designer selected and runs the encoder on it while the panel has no job,
   * keeping both for the run that follows: the panel then names it as held, its job comes without
   * the bytes, and the matte starts from the features. Only the latest offer is prepared; a job that
   * comes meanwhile goes first. A failure is left for the next run on the image to meet and report.
   */
  private async prepareSelected(): Promise<void> {
    const offer = this.selected;
    this.selected = null;
    const runner = this.runner;
    const inputSize = this.modelConfig?.inputSize;
    if (!offer || !runner || !inputSize || this.state.job !== null) return;
    // An image the model refuses is for its run to report.
    if (degenerateImageReason(offer.width, offer.height, inputSize)) return;
    this.preparing = true;
    this.stopIdleTimer();
    try {
      await this.decodeAndEncode(offer, runner);
    } finally {
      this.preparing = false;
      if (this.state.job === null) this.armIdleTimer();
    }
  }

  /** prepareSelected's work: the decode kept for the job, the features kept by the runner. */
  private async decodeAndEncode(offer: SelectedImageMessage, runner: FallbackRunner): Promise<void> {
    let kept = this.decoded.find(offer);
    if (!kept) {
      this.decoded.clear();
      const source = decodeImage(offer.imageBytes);
      if (source.width !== offer.width || source.height !== offer.height) return;
      kept = { imageHash: offer.imageHash, source, shown: downscaleForDisplay(source, DISPLAY_MAX_SIDE) };
      this.decoded.keep(kept);
    }
    // A job or a newer offer that arrived during the decode goes first. A run asked for meanwhile
    // is on this selection's image, most likely: its job will find the features.
    await this.yieldToPaint();
    if (this.state.job !== null || this.selected) return;
    if (await runner.encodeAhead(kept.source, offer.imageHash)) this.preparedImageHash = offer.imageHash;
  }

  private fail(jobId: string, message: string): void {
    if (!this.reported.has(jobId)) {
      this.reported.add(jobId);
      this.deps.post({ type: 'failed', jobId, message });
    }
    if (this.active?.jobId === jobId) this.active.alpha = null;
    this.dispatch({ type: 'job-failed', jobId, error: message });
  }

  private clearActive(): void {
    this.active = null;
    this.resultPng.clear();
    this.display = { source: null, cutout: null, mask: null, version: this.display.version + 1 };
  }

  /**
   * The photo of a job that waits for the model's sessions, shown and decoded meanwhile: the model
   * configuration (for the size limit) comes before them. Its status stays "waiting for the model".
   */
  private decodeEarly(job: JobView): void {
    if (imageSizeRefusal(job, this.modelConfig!.inputSize)) return; // refused when it starts
    const bytes = this.pendingBytes.get(job.jobId) ?? null;
    this.early = { jobId: job.jobId, source: this.jobSource(job, bytes) };
  }

  private async runJob(jobId: string): Promise<void> {
    const job = this.state.job;
    if (!job || job.jobId !== jobId) return; // superseded while waiting
    const early = this.early?.jobId === jobId ? this.early.source : null;
    this.early = null;
    const bytes = this.takeJobBytes(jobId);
    // The model's input size is known once it has loaded, which is when jobs start.
    const refusal = this.modelConfig && imageSizeRefusal(job, this.modelConfig.inputSize);
    if (refusal) {
      this.fail(jobId, refusal);
      return;
    }
    this.startTrace();
    await this.yieldToPaint();
    this.mark('start');
    const source = await (early ?? this.jobSource(job, bytes));
    // The paint after the quick preview may have let a newer job in.
    if (!source || this.state.job?.jobId !== jobId || !this.hasJobSize(job, source)) return;
    this.active = { jobId, source, alpha: null };
    const shown = this.showSource(source);
    this.decoded.keep({ imageHash: job.imageHash, source, shown });
    this.dispatch({ type: 'phase', jobId, phase: 'encoding' });
    await this.yieldToPaint();
    this.mark('encoding');
    await this.matteActive(jobId);
  }

  /** The image bytes that came with the job message (null: none); kept only until the job starts. */
  private takeJobBytes(jobId: string): Uint8Array | null {
    const bytes = this.pendingBytes.get(jobId) ?? null;
    this.pendingBytes.delete(jobId);
    return bytes;
  }

  private startTrace(): void {
    this.traceStart = now();
    this.trace = [];
  }

  /**
   * The job's image at full resolution, shown in the panel: the last decoded one when the job is
   * on the same image (a re-prompt), else decoded now. Null when the job was superseded or failed.
   */
  private async jobSource(job: JobView, bytes: Uint8Array | null): Promise<RgbaImage | null> {
    const kept = this.decoded.find(job);
    if (kept) {
      this.display = { source: kept.shown, cutout: null, mask: null, version: this.display.version + 1 };
      this.mark('reused');
      return kept.source;
    }
    if (!bytes) {
      // The sandbox left the photo out because the panel said it held it; the panel dropped it since.
      // Without a held image the next run's job carries the photo again.
      this.fail(job.jobId, `The panel no longer holds the image of “${job.nodeName}”. Run SMat again.`);
      return null;
    }
    this.decoded.clear();
    if (!(await this.showQuickPreview(job.jobId, bytes))) return null;
    return this.decodeSource(job, bytes);
  }

  /**
   * Shows the photo first, decoded off the main thread by the browser (display only; the model
   * gets core's decoder, the same one the CLI uses). False when the job was superseded meanwhile.
   */
  private async showQuickPreview(jobId: string, bytes: Uint8Array): Promise<boolean> {
    if (!this.deps.decodeForDisplay || bytes.length === 0) return true;
    const small = await this.deps.decodeForDisplay(bytes, DISPLAY_MAX_SIDE).catch(() => null);
    if (this.state.job?.jobId !== jobId) return false;
    if (small) {
      this.display = { source: small, cutout: null, mask: null, version: this.display.version + 1 };
      // A job still waiting for the model (decodeEarly) keeps saying so.
      if (this.state.job?.phase === 'waiting-model') this.notify();
      else this.dispatch({ type: 'phase', jobId, phase: 'decoding' });
      await this.yieldToPaint();
      this.mark('shown');
    }
    return true;
  }

  /** The full-resolution image for the model, or null once the job has been failed. */
  private decodeSource(job: JobView, bytes: Uint8Array): RgbaImage | null {
    try {
      if (bytes.length === 0) throw new Error('no image bytes arrived');
      const source = decodeImage(bytes);
      this.mark('decoded');
      return source;
    } catch (err) {
      this.fail(job.jobId, `Could not read the image of “${job.nodeName}”: ${errorMessage(err)}`);
      return null;
    }
  }

  /**
   * Figma's getSizeAsync gave the job's size; a decoder that disagrees (an orientation tag read
   * differently, a damaged file) would place the matte wrongly. Fails the job now, before inference.
   */
  private hasJobSize(job: JobView, source: RgbaImage): boolean {
    if (source.width === job.width && source.height === job.height) return true;
    this.fail(
      job.jobId,
      `Could not read the image of “${job.nodeName}”: it decodes to ${source.width}×${source.height} px but Figma reports ${job.width}×${job.height} px.`,
    );
    return false;
  }

  /** Replaces the browser-decoded preview unless it already has the display size; the image shown. */
  private showSource(source: RgbaImage): RgbaImage {
    const shown = this.display.source;
    if (shown && shown.width === fitSize(source.width, source.height, DISPLAY_MAX_SIDE).width) return shown;
    const small = downscaleForDisplay(source, DISPLAY_MAX_SIDE);
    this.display = { source: small, cutout: null, mask: null, version: this.display.version + 1 };
    return small;
  }

  /** Runs the model on the active job's image with the job's current prompts, then shows the result. */
  private async matteActive(jobId: string): Promise<void> {
    const job = this.state.job;
    const active = this.active;
    if (!job || job.jobId !== jobId || !active || active.jobId !== jobId) return;
    const { source } = active;
    const runner = this.runner!;
    let running = true;
    try {
      const prompts = job.mode === 'prompts' ? job.prompts : [];
      const result = await runner.matte(source, prompts, job.imageHash || jobId, async (preview) => {
        // The decoder that follows holds the page's only thread: paint the coarse matte first.
        if (running && this.showPreview(active, preview)) await this.yieldToPaint();
      });
      running = false;
      if (this.active !== active) return; // skipped meanwhile
      this.active.alpha = result.alpha;
      this.mark('matted');
      this.startResultPng(active, result.alpha);
      this.makePreviews(source, result.alpha);
      this.mark('previews');
      // Without a model.json (never, once the model runs) a cell is taken as one pixel.
      const cells = this.modelConfig?.featureSize ?? Math.max(source.width, source.height);
      const empty = isEmptyMatte(result.alpha, source.width, source.height, cells);
      this.dispatch({
        type: 'result',
        jobId,
        timings: panelTimings(result.timings),
        backend: runner.backend as Backend,
        emptyMatte: empty ? emptyMatteMessage(job.mode, job.nodeName) : null,
      });
      this.mark('review');
      if (prompts.length > 0) this.promptedRuns++;
    } catch (err) {
      running = false;
      if (this.state.job?.jobId !== jobId) return;
      // A coarse matte on screen was this run's: it goes with the run.
      if (this.active === active)
        this.display = { ...this.display, cutout: null, mask: null, version: this.display.version + 1 };
      this.fail(jobId, matteFailure(err, job.nodeName));
    }
  }

  /**
   * Starts Apply's PNG as soon as the matte is made, while the designer looks at it, where that
   * leaves the page's thread free (a worker); Apply then waits for it instead of making it. A
   * failure is left for Apply to meet again and report.
   */
  private startResultPng(active: ActiveJob, alpha: Float32Array): void {
    if (!this.resultPng.makesOffThread) return;
    const inputs = { source: active.source, alpha, output: this.state.output, decontaminate: this.state.decontaminate };
    this.resultPng
      .get(inputs)
      .then(() => {
        if (this.active === active) this.mark('png-made');
      })
      .catch(() => {});
  }

  /**
   * The runner's coarse matte while the full one is made (the job then says "refining"); a job
   * skipped or replaced meanwhile shows nothing (false). `active.alpha` stays null: Apply waits for the
   * full-resolution matte.
   */
  private showPreview(active: ActiveJob, preview: MattePreview): boolean {
    const job = this.state.job;
    if (this.active !== active || job?.jobId !== active.jobId) return false;
    const shown = this.display.source ?? downscaleForDisplay(active.source, DISPLAY_MAX_SIDE);
    this.display = { source: shown, ...coarseMatteDisplay(shown, preview), version: this.display.version + 1 };
    this.mark('preview');
    // A run redone on WASM after WebGPU failed gives a second one.
    if (job.phase === 'refining') this.notify();
    else this.dispatch({ type: 'phase', jobId: job.jobId, phase: 'refining' });
    return true;
  }

  private makePreviews(source: RgbaImage, alpha: Float32Array): void {
    const shown = this.display.source ?? downscaleForDisplay(source, DISPLAY_MAX_SIDE);
    const { cutout, mask } = mattePreviews(shown, source, alpha, this.state.decontaminate, PREVIEW_FOREGROUND_SIDE);
    this.display = { source: shown, cutout, mask, version: this.display.version + 1 };
  }

  /** Tells the panel to redraw after a change to `display` alone. */
  private notify(): void {
    for (const fn of this.listeners) fn();
  }

  private mark(step: string): void {
    this.trace.push([step, Math.round(now() - this.traceStart)]);
  }

  private yieldToPaint(): Promise<void> {
    return this.deps.yieldToPaint ? this.deps.yieldToPaint() : Promise.resolve();
  }
}
