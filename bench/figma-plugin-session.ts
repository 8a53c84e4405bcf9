// One plugin session as a designer meets it, in the Figma-faithful harness (code.js in QuickJS,
// ui.html as a `data:` URL iframe in headless Chromium, so WASM on one thread):
//   Auto Matte command on photo A -> first matte on screen (cold) -> Apply -> node written;
//   the panel's Auto Matte on photos C and B (new photos, model loaded), pressed as each is selected -> Cancel;
//   the same on two more photos, pressed PREPARE_MS after each is selected (the panel encodes the
//   selected photo meanwhile) -> Cancel;
//   a box over B -> Matte with prompts -> Cancel; the box moved, twice (re-prompts) -> the last one applied.
// Each time is stamped in Node from the moment the command started, and a job's time runs from the
// press of the panel's button (the sandbox reads the selection and the photo before the job goes out); "on screen" is the panel's
// job reaching phase review (the matte drawn, Apply enabled), seen by 10 ms polling in the page, and
// the coarse matte "on screen" is the first poll that sees phase refining (or review: a coarse
// matte the page could not paint before the full one counts only when the full one shows). The
// polls run on the page's main thread, as painting does, so they see what the designer could see.
import os from 'node:os';
import type { Browser } from 'playwright-core';
import type { FakeShapeNode } from '../test/fake-figma/fake-nodes';
import { startPluginRun, type PluginRun } from '../test/e2e/figma-plugin-run';
import type { PluginUiGlobals } from '../test/e2e/page-globals';
import { press } from '../test/e2e/panel-actions';
import { addPhotoNode, type Photo } from '../test/e2e/photo-nodes';

/** A time and the machine's 1-minute load average when it was taken. */
export interface Sample {
  ms: number;
  load1: number;
}

export interface SessionTimes {
  cold: Sample;
  /**
   * Parts of the cold start: code.js in QuickJS, command -> model ready (the encoder's session),
   * model ready -> on screen; and, from the panel's asking for the assets, the last graph in and
   * every session made (the heads' after the encoder's, while the first job runs).
   */
  coldParts: {
    codeJsMs: number;
    modelReadyMs: number;
    graphsInMs: number;
    allSessionsMs: number;
    /** From the panel's asking for the assets: the encoder's graph in, and its session made. */
    encoderInMs: number;
    encoderSessionMs: number;
    /** Of the time to model ready: the harness's relay of the sandbox's messages (FigmaUiHost.relayMs). */
    relayMs: number;
    readyToScreenMs: number;
  };
  warm: Sample[];
  /** New photos whose button was pressed PREPARE_MS after they were selected. */
  prepared: Sample[];
  reprompt: Sample[];
  /** The button -> the coarse matte on screen, for the same jobs as warm, prepared and reprompt. */
  warmPreview: Sample[];
  preparedPreview: Sample[];
  repromptPreview: Sample[];
  apply: Sample[];
  /**
   * For each Apply, from the panel's trace: the PNG ready (made while the matte was on screen, or
   * after the click); the rest is the bytes' way to the sandbox and the write.
   */
  applyStages: Record<string, number>[];
  /** The panel's own stage times (ms) for each warm job: encoder, head, post; and its trace's (PanelTrace). */
  warmStages: Record<string, number>[];
  /** The same for each prepared one. */
  preparedStages: Record<string, number>[];
  /** The same for each re-prompt. */
  repromptStages: Record<string, number>[];
  backend: string;
}

export interface SessionPhotos {
  /** The cold start's photo. */
  a: Photo;
  /** The warm jobs' photos; the re-prompts are on the last one. */
  others: Photo[];
  /** Photos selected PREPARE_MS before their button is pressed. */
  prepared: Photo[];
}

/**
 * How long after selecting a photo the designer presses the panel's button in the prepared runs: a
 * move from the canvas to the panel. The panel decodes and encodes the selected photo meanwhile.
 */
export const PREPARE_MS = 1000;

const JOB_TIMEOUT_MS = 300_000;
const load1 = () => os.loadavg()[0];
const sample = (ms: number): Sample => ({ ms, load1: load1() });

interface OnScreen {
  jobId: string;
  /** When the designer pressed the button (or ran the command). */
  startT: number;
  jobT: number;
  previewT: number;
  reviewT: number;
  timings: Record<string, number>;
}

/**
 * From the panel's trace (window.__smat.trace: ms since the panel started the job, its own clock):
 * when the model started (after the photo was decoded, or a kept decode reused) and when the
 * coarse matte was made, which is before it can be painted.
 */
function traceTimes(trace: [string, number][]): Record<string, number> {
  const at = new Map(trace);
  const times: Record<string, number> = {};
  const model = at.get('encoding');
  const preview = at.get('preview');
  if (model !== undefined) times.modelStart = model;
  if (preview !== undefined) times.previewMade = preview;
  return times;
}

/** Waits until the panel's job `jobId` is in one of `phases` (or failed); the phase it is in. */
async function waitForPhase(run: PluginRun, jobId: string, phases: string[]): Promise<string> {
  const phase = await run.frame.waitForFunction(
    ([id, wanted]) => {
      const j = (window as unknown as PluginUiGlobals).__smat?.state.job;
      return j?.jobId === id && (wanted.includes(j.phase) || j.phase === 'failed') ? j.phase : null;
    },
    [jobId, phases] as const,
    // The coarse matte is on screen from its paint until the decoder takes the page's thread, a few
    // tens of ms: coarser polling missed it in about one box move in three.
    { polling: 10, timeout: JOB_TIMEOUT_MS },
  );
  return (await phase.jsonValue()) as string;
}

/** The next job the sandbox sends at or after `after` (a press of a button), until the panel shows its matte. */
async function nextMatteOnScreen(run: PluginRun, after: number): Promise<OnScreen> {
  const job = await run.waitFor(
    (m) => m.dir === 'sandbox→ui' && m.msg.type === 'job' && m.t >= after,
    'a job',
    JOB_TIMEOUT_MS,
  );
  const jobId = job.msg.jobId as string;
  const first = await waitForPhase(run, jobId, ['refining', 'review']);
  const previewT = run.now();
  // A second wait only when the coarse matte showed on its own: else its round trip would count.
  if (first === 'refining') await waitForPhase(run, jobId, ['review']);
  const reviewT = first === 'refining' ? run.now() : previewT;
  const { view, trace } = await run.frame.evaluate(() => {
    const smat = (window as unknown as PluginUiGlobals).__smat!;
    return { view: smat.state.job!, trace: smat.trace };
  });
  if (view.phase !== 'review') throw new Error(`job ${jobId} failed: ${view.error}`);
  if (view.emptyMatte) throw new Error(`job ${jobId} gave an empty matte: ${view.emptyMatte}`);
  // The sandbox's part: reading the selection and the photo, and sending the job.
  const jobSent = job.t - after;
  return {
    jobId,
    startT: after,
    jobT: job.t,
    previewT,
    reviewT,
    timings: { ...view.timings, ...traceTimes(trace), jobSent },
  };
}

/** Clicks Apply; the time until the sandbox says the node is written, and the panel's parts of it. */
async function applyAndWait(
  run: PluginRun,
  jobId: string,
): Promise<{ sample: Sample; stages: Record<string, number> }> {
  const t = run.now();
  await press(run.frame, 'apply');
  const answer = await run.waitFor(
    (m) => m.dir === 'sandbox→ui' && (m.msg.type === 'applied' || m.msg.type === 'error') && m.t >= t,
    'the written node',
    JOB_TIMEOUT_MS,
  );
  if (answer.msg.type !== 'applied' || answer.msg.jobId !== jobId)
    throw new Error(`Apply of ${jobId} was answered ${answer.msg.type}: ${String(answer.msg.message ?? '')}`);
  const trace = await run.frame.evaluate(() => (window as unknown as PluginUiGlobals).__smat!.trace);
  const at = new Map(trace);
  const clicked = at.get('apply-clicked') ?? Number.NaN;
  const pngReady = at.get('png-ready') ?? Number.NaN;
  const ms = answer.t - t;
  return { sample: sample(ms), stages: { png: pngReady - clicked, toSandboxAndWrite: ms - (pngReady - clicked) } };
}

/** Cancel: nothing written; the run buttons come back once the sandbox ended the batch. */
async function cancel(run: PluginRun): Promise<void> {
  await press(run.frame, 'cancel');
  await run.frame.waitForSelector('[data-testid=run-auto]:not([disabled])', { timeout: JOB_TIMEOUT_MS });
}

/**
 * Presses a run button in the panel, after `beforePress` (a selection, a pause); the matte of the job
 * it brings, with the harness's relay time meanwhile (`relay`, the photo's bytes mostly) among its
 * timings. The time runs from the press, whether or not the page is free to take it then: a panel
 * busy preparing the photo makes the designer wait as much as the job would.
 */
async function runFromPanel(
  run: PluginRun,
  button: 'run-auto' | 'run-prompts',
  beforePress: () => Promise<void> | void = () => {},
): Promise<OnScreen> {
  // A designer presses it once it is enabled (after Apply, once the sandbox ended the batch).
  await run.frame.waitForSelector(`[data-testid=${button}]:not([disabled])`, { timeout: JOB_TIMEOUT_MS });
  await beforePress();
  const relayBefore = run.ui.relayMs();
  const t = run.now();
  await press(run.frame, button);
  const shown = await nextMatteOnScreen(run, t);
  shown.timings.relay = run.ui.relayMs() - relayBefore;
  return shown;
}

export async function measureSession(
  browser: Browser,
  build: { code: string; html: string },
  photos: SessionPhotos,
): Promise<SessionTimes> {
  let a!: FakeShapeNode;
  const others: FakeShapeNode[] = [];
  const prepared: FakeShapeNode[] = [];
  const run = await startPluginRun({
    browser,
    hosting: 'data-url',
    command: 'auto-matte',
    ...build,
    scene: (host) => {
      a = addPhotoNode(host, photos.a);
      for (const [k, p] of [...photos.others, ...photos.prepared].entries()) {
        const node = addPhotoNode(host, p);
        node.x = 1100 * (k + 1);
        (k < photos.others.length ? others : prepared).push(node);
      }
      host.select(a);
    },
  });
  try {
    // The relay's time is read the moment the model is seen ready, before the first job's photo adds to it.
    const modelReady = run.waitForModel(JOB_TIMEOUT_MS).then((m) => ({ ...m, relayMs: run.ui.relayMs() }));
    // Awaited after the first matte; a failure there is reported by that await, not as unhandled.
    modelReady.catch(() => {});
    const first = await nextMatteOnScreen(run, 0);
    const cold = sample(first.reviewT);
    const model = await modelReady;
    const applied = [await applyAndWait(run, first.jobId)];

    const warm: Sample[] = [];
    const warmPreview: Sample[] = [];
    const warmStages: Record<string, number>[] = [];
    for (const node of others) {
      const shown = await runFromPanel(run, 'run-auto', () => run.host.select(node));
      warm.push(sample(shown.reviewT - shown.startT));
      warmPreview.push(sample(shown.previewT - shown.startT));
      warmStages.push(shown.timings);
      await cancel(run);
    }

    const preparedTimes: Sample[] = [];
    const preparedPreview: Sample[] = [];
    const preparedStages: Record<string, number>[] = [];
    for (const node of prepared) {
      const shown = await runFromPanel(run, 'run-auto', async () => {
        run.host.select(node);
        await new Promise((r) => setTimeout(r, PREPARE_MS));
      });
      preparedTimes.push(sample(shown.reviewT - shown.startT));
      preparedPreview.push(sample(shown.previewT - shown.startT));
      preparedStages.push(shown.timings);
      await cancel(run);
    }

    // The box's first job (or the panel, as B is selected) makes B's features again; each move reuses them.
    const b = others[others.length - 1];
    const box = run.host.shape('RECTANGLE', 'Box', 400, 500);
    box.fills = [];
    box.x = b.x + 300;
    box.y = b.y + 250;
    run.host.select(b, box);
    await runFromPanel(run, 'run-prompts');
    await cancel(run);
    const reprompt: Sample[] = [];
    const repromptPreview: Sample[] = [];
    const repromptStages: Record<string, number>[] = [];
    for (const step of [40, -80]) {
      box.x += step;
      const shown = await runFromPanel(run, 'run-prompts');
      reprompt.push(sample(shown.reviewT - shown.startT));
      repromptPreview.push(sample(shown.previewT - shown.startT));
      repromptStages.push(shown.timings);
      if (step < 0) applied.push(await applyAndWait(run, shown.jobId));
      else await cancel(run);
    }

    // Read last: the prompted candidate, which an Auto Matte does not need, comes in after the first matte.
    const marks = await run.loadMarks();
    const backend = (await run.frame.textContent('[data-testid=backend]')) ?? '';
    if (run.vm.vmErrors.length || run.ui.errors.length)
      throw new Error(`errors during the session: ${[...run.vm.vmErrors, ...run.ui.errors].join('; ')}`);
    return {
      cold,
      coldParts: {
        codeJsMs: run.vm.evalMs,
        modelReadyMs: model.t,
        graphsInMs: marks.graphsInMs,
        allSessionsMs: marks.allSessionsMs,
        encoderInMs: marks.encoderInMs,
        encoderSessionMs: marks.encoderSessionMs,
        relayMs: model.relayMs,
        // The job itself was sent at once and waited for the model.
        readyToScreenMs: first.reviewT - model.t,
      },
      warm,
      prepared: preparedTimes,
      reprompt,
      warmPreview,
      preparedPreview,
      repromptPreview,
      apply: applied.map((a) => a.sample),
      applyStages: applied.map((a) => a.stages),
      warmStages,
      preparedStages,
      repromptStages,
      backend,
    };
  } finally {
    await run.close();
  }
}
