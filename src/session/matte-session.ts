// The sandbox side of the protocol in core/messages.ts. One batch at a time; its jobs go to the UI
// one by one, and the next one only after the UI answered the last with 'apply' or 'skip'.
import { errorMessage } from '../../core/errors';
import type {
  ApplyMessage,
  AssetName,
  FailedMessage,
  JobMessage,
  MatteMode,
  SandboxToUi,
  UiToSandbox,
} from '../../core/messages';
import type { SandboxApi } from '../figma-api';
import { readImageSource } from '../images/read-image-source';
import { singleSelectedImage } from '../images/single-selected-image';
import { RESULT_SOURCE_KEY } from '../write-back/result-markers';
import { writeMatteResult } from '../write-back/write-matte-result';
import { findRefineTargets } from './find-refine-targets';
import { parseUiMessage } from './parse-ui-message';
import { prepareJobs, type PreparedJob, type RunTarget } from './prepare-jobs';
import { forNotify, writeFailed } from './user-messages';

/** `heldImageHash`: the image the panel holds decoded (a run from the panel), whose bytes it needs no more. */
export type RunRequest = { mode: MatteMode | 'refine'; heldImageHash?: string | null };

interface ActiveJob extends PreparedJob {
  jobId: string;
}

export interface SessionHooks {
  /** figma.closePlugin. */
  closePlugin?: () => void;
  /** Streams the runtime and the model to the UI (src/assets/stream-assets.ts). */
  sendAssets?: (names: readonly AssetName[]) => void;
}

export class MatteSession {
  private uiReady = false;
  private pendingRun: RunRequest | null = null;
  private queue: ActiveJob[] = [];
  private current: ActiveJob | null = null;
  private count = 0;
  private modeOfBatch: MatteMode = 'auto';
  private sent = 0;
  private nextJobNumber = 1;
  /** The image the panel was last given (a job's, or the selection's): not offered again. */
  private lastImageGiven: string | null = null;
  /** Messages are handled strictly in order: an Apply must finish before a Skip that follows it. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: SandboxApi,
    private readonly hooks: SessionHooks = {},
  ) {}

  /** A menu command or relaunch button: runs as soon as the UI says it is ready. */
  request(run: RunRequest): Promise<void> {
    return this.enqueue(async () => {
      if (this.uiReady) await this.start(run);
      else this.pendingRun = run;
    });
  }

  /**
   * Figma's 'selectionchange' (and the panel's start, when no command runs): offers the selection's
   * one image to the panel (SelectedImageMessage) while no batch runs. Silent: what is wrong with
   * an image is for a run to say.
   */
  selectionChanged(): Promise<void> {
    return this.enqueue(() => this.offerSelectedImage());
  }

  /** Anything the UI posted: checked here, so a malformed message is reported and never half-handled. */
  receive(raw: unknown): Promise<void> {
    const parsed = parseUiMessage(raw);
    // Answered at once, not behind a batch being prepared: the panel can show nothing without the model.
    if (parsed.ok && parsed.message.type === 'assets-request') {
      try {
        this.hooks.sendAssets?.(parsed.message.names);
      } catch (error) {
        this.reportBug(error);
      }
      return Promise.resolve();
    }
    return this.enqueue(async () => {
      if (parsed.ok) return this.handle(parsed.message);
      this.post({ type: 'error', message: parsed.error });
      // The UI may now wait for an answer that will never come: end the job the message was about
      // (or, when it named none, the whole batch) so the panel moves on instead of hanging.
      if (!this.current) return;
      if (parsed.jobId === this.current.jobId) this.advance();
      else if (parsed.jobId === null) this.endBatch();
    });
  }

  /** For tests and diagnostics: the job the UI is working on. */
  get currentJobId(): string | null {
    return this.current?.jobId ?? null;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task).catch((error: unknown) => this.reportBug(error));
    this.chain = next;
    return next;
  }

  /** Last line of defence: an unexpected bug must reach the user, not vanish in a rejected promise. */
  private reportBug(error: unknown): void {
    this.post({ type: 'error', message: errorMessage(error) });
  }

  private async handle(message: UiToSandbox): Promise<void> {
    switch (message.type) {
      case 'ui-ready': {
        this.uiReady = true;
        const run = this.pendingRun;
        this.pendingRun = null;
        if (run) await this.start(run);
        // Opened without a command: the photo already selected is the one a run would take.
        else await this.offerSelectedImage();
        return;
      }
      case 'run':
        this.uiReady = true;
        await this.start({ mode: message.mode, heldImageHash: message.heldImageHash });
        return;
      case 'apply':
        this.apply(message);
        return;
      case 'skip':
        if (this.current?.jobId === message.jobId) this.advance();
        return;
      case 'failed':
        this.fail(message);
        return;
      case 'close':
        this.hooks.closePlugin?.();
        return;
      case 'assets-request':
        // Answered in receive(), ahead of the job messages.
        return;
    }
  }

  private async offerSelectedImage(): Promise<void> {
    if (!this.uiReady || this.current) return;
    const selected = singleSelectedImage(this.api.currentPage.selection);
    if (!selected?.imageHash || selected.imageHash === this.lastImageGiven) return;
    // A result is looked at, or refined from its own button (a run on its source), not matted again.
    if (selected.node.getPluginData(RESULT_SOURCE_KEY) !== '') return;
    const read = await readImageSource(this.api, selected.node);
    if (read.kind !== 'image' || !read.source.bytes) return;
    const { imageHash, bytes, width, height } = read.source;
    this.lastImageGiven = imageHash;
    this.post({ type: 'selected-image', imageHash, imageBytes: bytes, width, height });
  }

  private async start(run: RunRequest): Promise<void> {
    // A new run replaces whatever batch was in progress; nothing of the old one was written unapplied.
    this.queue = [];
    this.current = null;
    const selection = this.api.currentPage.selection;

    let targets: RunTarget[];
    let mode: MatteMode;
    if (run.mode === 'refine') {
      const found = await findRefineTargets(this.api, selection);
      if (!found.ok) return this.post({ type: 'error', message: found.message });
      targets = found.targets;
      mode = 'prompts';
    } else {
      targets = selection.map((node) => ({ node }));
      mode = run.mode;
    }
    const replacing = new Set(targets.map((t) => t.replaces?.id).filter((id): id is string => !!id));
    const shapeSelection = selection.filter((node) => !replacing.has(node.id));

    const prepared = await prepareJobs(this.api, mode, targets, shapeSelection, run.heldImageHash ?? null);
    if (!prepared.ok) return this.post({ type: 'error', message: prepared.message });
    this.queue = prepared.jobs.map((job) => ({ ...job, jobId: `job-${this.nextJobNumber++}` }));
    this.count = this.queue.length;
    this.sent = 0;
    this.modeOfBatch = mode;
    this.advance();
  }

  /** Sends the next job, or 'done' when the batch is over. */
  private advance(): void {
    const job = this.queue.shift() ?? null;
    this.current = job;
    if (!job) {
      this.post({ type: 'done' });
      return;
    }
    const { source } = job;
    const message: JobMessage = {
      type: 'job',
      jobId: job.jobId,
      mode: this.modeOfBatch,
      index: this.sent++,
      count: this.count,
      nodeId: source.node.id,
      nodeName: source.node.name,
      imageHash: source.imageHash,
      imageBytes: source.bytes,
      width: source.width,
      height: source.height,
      prompts: job.prompts,
      promptLayers: job.promptLayers.map(({ shape, prompts }) => ({ id: shape.id, name: shape.name, prompts })),
      unusedLayers: job.unusedLayers,
    };
    // The bytes now belong to the UI; do not keep a second copy of every photo of the batch alive.
    source.bytes = null;
    this.lastImageGiven = source.imageHash;
    this.post(message);
  }

  private apply(message: ApplyMessage): void {
    const job = this.current;
    // A late answer for a job that was replaced by a new run: writing it would surprise the user.
    if (!job || job.jobId !== message.jobId) return;
    // Hide only the layers the panel listed for this job and still used: never one the user
    // excluded, and never a node the UI names that was not offered as a prompt.
    const kept = new Set(message.promptLayerIds);
    try {
      const result = writeMatteResult(this.api, {
        source: job.source.node,
        paintIndex: job.source.paintIndex,
        imageHash: job.source.imageHash,
        width: job.source.width,
        height: job.source.height,
        usedShapes: job.usedShapes.filter((shape) => kept.has(shape.id)),
        replaces: job.replaces,
        pngBytes: message.pngBytes,
        output: message.output,
      });
      // Each applied image is its own undo step.
      this.api.commitUndo();
      this.post({ type: 'applied', jobId: job.jobId, newNodeId: result.id });
    } catch (error) {
      this.post({ type: 'error', message: writeFailed(job.source.node.name, error) });
    }
    this.advance();
  }

  /** The UI could not produce a matte: tell the user, write nothing, and end the batch. */
  private fail(message: FailedMessage): void {
    if (message.jobId !== null && this.current?.jobId !== message.jobId) return;
    this.api.notify(forNotify(message.message), { error: true });
    this.endBatch();
  }

  /** Drops the rest of the batch, writing nothing more, and tells the UI it is over. */
  private endBatch(): void {
    this.queue = [];
    this.current = null;
    this.post({ type: 'done' });
  }

  private post(message: SandboxToUi): void {
    this.api.ui.postMessage(message);
  }
}
