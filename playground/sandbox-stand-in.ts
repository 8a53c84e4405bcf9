// The sandbox's side of core/messages.ts, played by the page: every image is one job, sent one at a
// time like src/session/matte-session.ts does, and an Apply is answered as if a node was written.
import type { ApplyMessage, JobMessage, MatteMode, SandboxToUi, UiToSandbox } from '../core/messages';
import { parseUiMessage } from '../src/session/parse-ui-message';
import type { PlaygroundImage } from './playground-image';
import { streamServerAssets } from './server-assets';

interface Batch {
  jobs: JobMessage[];
  pos: number;
}

export interface SandboxStandInOptions {
  send: (message: SandboxToUi) => void;
  /** The images a run covers (Figma: the selection). */
  imagesForRun: () => PlaygroundImage[];
  /** Where the page shows what Figma would have written. */
  showResult: (message: ApplyMessage) => void;
  /** A stable id for the image, like Figma's node id. */
  nodeIdOf: (image: PlaygroundImage) => string;
}

export class SandboxStandIn {
  uiReady = false;
  private batch: Batch | null = null;
  private jobCounter = 0;
  /** Asset requests are answered in order, one stream after the other. */
  private assetStream: Promise<void> = Promise.resolve();

  constructor(private readonly opts: SandboxStandInOptions) {}

  /** Whatever the UI posted, checked the way the real sandbox checks it. */
  receive(raw: unknown): void {
    const parsed = parseUiMessage(raw);
    if (parsed.ok) this.handle(parsed.message);
    else this.opts.send({ type: 'error', message: parsed.error });
  }

  /** Sends the batch's first job and returns its id; null (and an error to the UI) when there is nothing to run. */
  startBatch(mode: MatteMode, only: PlaygroundImage | null = null): string | null {
    const list = only ? [only] : this.opts.imagesForRun();
    if (list.length === 0) {
      this.opts.send({ type: 'error', message: 'Select at least one image first (drop a photo into the playground).' });
      return null;
    }
    if (mode === 'prompts' && list.every((img) => img.prompts.length === 0)) {
      this.opts.send({ type: 'error', message: 'Draw a box, points or a scribble over the image first.' });
      return null;
    }
    const jobs = list.map((img, i) => this.makeJob(img, mode, i, list.length));
    this.batch = { jobs, pos: 0 };
    this.opts.send(jobs[0]);
    return jobs[0].jobId;
  }

  private handle(msg: UiToSandbox): void {
    switch (msg.type) {
      case 'ui-ready':
        this.uiReady = true;
        break;
      case 'assets-request':
        this.assetStream = this.assetStream.then(() => streamServerAssets(this.opts.send, msg.names));
        break;
      case 'run':
        this.startBatch(msg.mode);
        break;
      case 'apply':
        this.opts.showResult(msg);
        // Figma would create the node here; answer like the sandbox does.
        this.opts.send({ type: 'applied', jobId: msg.jobId, newNodeId: `playground:${msg.jobId}` });
        this.nextJob();
        break;
      case 'skip':
        this.nextJob();
        break;
      case 'failed':
        // Like the sandbox: tell the user, write nothing, end the batch.
        this.batch = null;
        this.opts.send({ type: 'done' });
        break;
      case 'close':
        break;
    }
  }

  private makeJob(img: PlaygroundImage, mode: MatteMode, index: number, count: number): JobMessage {
    return {
      type: 'job',
      jobId: `job-${++this.jobCounter}`,
      mode,
      index,
      count,
      nodeId: this.opts.nodeIdOf(img),
      nodeName: img.name,
      imageHash: img.hash,
      imageBytes: img.bytes,
      width: img.width,
      height: img.height,
      // A copy: the job must not change when the user keeps drawing.
      prompts: mode === 'prompts' ? structuredClone(img.prompts) : [],
      // The page's prompts are not layers: the panel then lists none to exclude.
      promptLayers: [],
      unusedLayers: [],
    };
  }

  private nextJob(): void {
    if (!this.batch) return;
    this.batch.pos++;
    if (this.batch.pos < this.batch.jobs.length) {
      this.opts.send(this.batch.jobs[this.batch.pos]);
    } else {
      this.batch = null;
      this.opts.send({ type: 'done' });
    }
  }
}
