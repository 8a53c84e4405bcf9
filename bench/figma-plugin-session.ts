// One plugin session as a designer meets it, in the Figma-faithful harness (code.js in QuickJS,
// ui.html as a `data:` URL iframe in headless Chromium, so WASM on one thread):
//   Auto Matte command on photo A -> first matte on screen (cold) -> Apply -> node written;
//   the panel's Auto Matte on photos C and B (new photos, model loaded) -> Cancel;
//   a box over B -> Matte with prompts -> Cancel; the box moved, twice (re-prompts) -> the last one applied.
// Each time is stamped in Node from the moment the command started; "on screen" is the panel's
// job reaching phase review (the preview drawn, Apply enabled), seen by 50 ms polling.
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
  /** Parts of the cold start: code.js in QuickJS, command -> model ready (assets in; sessions), model ready -> on screen. */
  coldParts: { codeJsMs: number; modelReadyMs: number; assetsMs: number; sessionsMs: number; readyToScreenMs: number };
  warm: Sample[];
  reprompt: Sample[];
  apply: Sample[];
  /** The panel's own stage times (ms) for each warm job: encoder, head, post. */
  warmStages: Record<string, number>[];
  backend: string;
}

export interface SessionPhotos {
  /** The cold start's photo. */
  a: Photo;
  /** The warm jobs' photos; the re-prompts are on the last one. */
  others: Photo[];
}

const JOB_TIMEOUT_MS = 300_000;
const load1 = () => os.loadavg()[0];
const sample = (ms: number): Sample => ({ ms, load1: load1() });

interface OnScreen {
  jobId: string;
  jobT: number;
  reviewT: number;
  timings: Record<string, number>;
}

/** The next job the sandbox sends at or after `after`, until the panel shows its matte. */
async function nextMatteOnScreen(run: PluginRun, after: number): Promise<OnScreen> {
  const job = await run.waitFor(
    (m) => m.dir === 'sandbox→ui' && m.msg.type === 'job' && m.t >= after,
    'a job',
    JOB_TIMEOUT_MS,
  );
  const jobId = job.msg.jobId as string;
  await run.frame.waitForFunction(
    (id) => {
      const j = (window as unknown as PluginUiGlobals).__smat?.state.job;
      return j?.jobId === id && (j.phase === 'review' || j.phase === 'failed');
    },
    jobId,
    { polling: 50, timeout: JOB_TIMEOUT_MS },
  );
  const reviewT = run.now();
  const view = await run.frame.evaluate(() => (window as unknown as PluginUiGlobals).__smat!.state.job!);
  if (view.phase !== 'review') throw new Error(`job ${jobId} failed: ${view.error}`);
  if (view.emptyMatte) throw new Error(`job ${jobId} gave an empty matte: ${view.emptyMatte}`);
  return { jobId, jobT: job.t, reviewT, timings: view.timings ?? {} };
}

/** Clicks Apply; the time until the sandbox says the node is written. */
async function applyAndWait(run: PluginRun, jobId: string): Promise<Sample> {
  const t = run.now();
  await press(run.frame, 'apply');
  const answer = await run.waitFor(
    (m) => m.dir === 'sandbox→ui' && (m.msg.type === 'applied' || m.msg.type === 'error') && m.t >= t,
    'the written node',
    JOB_TIMEOUT_MS,
  );
  if (answer.msg.type !== 'applied' || answer.msg.jobId !== jobId)
    throw new Error(`Apply of ${jobId} was answered ${answer.msg.type}: ${String(answer.msg.message ?? '')}`);
  return sample(answer.t - t);
}

/** Cancel: nothing written; the run buttons come back once the sandbox ended the batch. */
async function cancel(run: PluginRun): Promise<void> {
  await press(run.frame, 'cancel');
  await run.frame.waitForSelector('[data-testid=run-auto]:not([disabled])', { timeout: JOB_TIMEOUT_MS });
}

/** Presses a run button in the panel; the matte of the job it brings. */
async function runFromPanel(run: PluginRun, button: 'run-auto' | 'run-prompts'): Promise<OnScreen> {
  const t = run.now();
  await press(run.frame, button);
  return nextMatteOnScreen(run, t);
}

export async function measureSession(
  browser: Browser,
  build: { code: string; html: string },
  photos: SessionPhotos,
): Promise<SessionTimes> {
  let a!: FakeShapeNode;
  const others: FakeShapeNode[] = [];
  const run = await startPluginRun({
    browser,
    hosting: 'data-url',
    command: 'auto-matte',
    ...build,
    scene: (host) => {
      a = addPhotoNode(host, photos.a);
      for (const [k, p] of photos.others.entries()) {
        const node = addPhotoNode(host, p);
        node.x = 1100 * (k + 1);
        others.push(node);
      }
      host.select(a);
    },
  });
  try {
    const modelReady = run.waitForModel(JOB_TIMEOUT_MS);
    // Awaited after the first matte; a failure there is reported by that await, not as unhandled.
    modelReady.catch(() => {});
    const first = await nextMatteOnScreen(run, 0);
    const cold = sample(first.reviewT);
    const model = await modelReady;
    const apply = [await applyAndWait(run, first.jobId)];

    const warm: Sample[] = [];
    const warmStages: Record<string, number>[] = [];
    for (const node of others) {
      run.host.select(node);
      const shown = await runFromPanel(run, 'run-auto');
      warm.push(sample(shown.reviewT - shown.jobT));
      warmStages.push(shown.timings);
      await cancel(run);
    }

    // The last photo's features are cached now: a box over it reuses them, as does each move.
    const b = others[others.length - 1];
    const box = run.host.shape('RECTANGLE', 'Box', 400, 500);
    box.fills = [];
    box.x = b.x + 300;
    box.y = b.y + 250;
    run.host.select(b, box);
    await runFromPanel(run, 'run-prompts');
    await cancel(run);
    const reprompt: Sample[] = [];
    for (const step of [40, -80]) {
      box.x += step;
      const shown = await runFromPanel(run, 'run-prompts');
      reprompt.push(sample(shown.reviewT - shown.jobT));
      if (step < 0) apply.push(await applyAndWait(run, shown.jobId));
      else await cancel(run);
    }

    const backend = (await run.frame.textContent('[data-testid=backend]')) ?? '';
    if (run.vm.vmErrors.length || run.ui.errors.length)
      throw new Error(`errors during the session: ${[...run.vm.vmErrors, ...run.ui.errors].join('; ')}`);
    return {
      cold,
      coldParts: {
        codeJsMs: run.vm.evalMs,
        modelReadyMs: model.t,
        assetsMs: model.ui.receiveMs,
        sessionsMs: model.ui.startMs,
        // The job itself was sent at once and waited for the model.
        readyToScreenMs: first.reviewT - model.t,
      },
      warm,
      reprompt,
      apply,
      warmStages,
      backend,
    };
  } finally {
    await run.close();
  }
}
