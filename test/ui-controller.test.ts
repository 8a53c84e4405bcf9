import { describe, expect, it } from 'vitest';
import type { ApplyMessage, JobMessage, UiToSandbox } from '../core/messages';
import { decodeImage, encodePng } from '../core/image-codecs';
import { alphaAsLuminanceMask, applyAlphaAsCutout } from '../core/composite';
import type { RgbaImage } from '../core/rgba-image';
import type { SmatModelConfig } from '../core/model-config';
import { PromptOutsideImageError } from '../core/errors';
import { Controller } from '../ui/controller';
import { encodeResultPng, type ResultPngMaker } from '../ui/result-png';
import type { RunnerHandle } from '../ui/fallback-runner';
import { canApply, statusLine } from '../ui/state';

// 8x8 photo (the smallest the model takes); the fake model says every row is foreground, soft,
// background, background, twice over.
const photo: RgbaImage = {
  width: 8,
  height: 8,
  data: new Uint8Array(256).map((_, i) => (i % 4 === 3 ? 255 : 10 + (i % 200))),
};
const ROW = [1, 0.5, 0, 0, 1, 0.5, 0, 0];
const ALPHA = Float32Array.from({ length: 64 }, (_, i) => ROW[i % 8]);
/** ALPHA as the grey of a luminance mask. */
const MASK_GREY = Array.from(ALPHA, (a) => Math.round(a * 255));
/** The fake model's coarse matte: the left half of the photo. */
const COARSE = { alpha: Float32Array.from([1, 0, 1, 0]), width: 2, height: 2 };
const TEST_CONFIG: SmatModelConfig = {
  inputSize: 512,
  featureSize: 32,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  pointRadiusFraction: 1 / 80,
  minScribbleWidth: 3,
  encoder: 'e.onnx',
  saliency: 'a.onnx',
  prompted: 'p.onnx',
  decoder: 'd.onnx',
  refiner: 'r.onnx',
};

function setup(
  opts: {
    modelFails?: boolean;
    matteError?: Error;
    decodeForDisplay?: (b: Uint8Array, m: number) => Promise<RgbaImage | null>;
    /** Each run waits for this before giving its coarse matte. */
    beforePreview?: Promise<void>;
    /** Each run waits for this after giving its coarse matte, before the full one. */
    afterPreview?: Promise<void>;
    /** The coarse matte comes before the runner says the head started (as a split head may do). */
    earlyPreview?: boolean;
    resultPng?: ResultPngMaker;
    /** The runner is made, then one of its later sessions fails with this. */
    laterSessionFails?: Error;
    /** The runner is made (its encoder's session) only once this resolves; the configuration comes before. */
    sessionsGate?: Promise<void>;
    promptedIdleMs?: number;
    /** An encode ahead of a run (a selected photo) waits for this. */
    encodeGate?: Promise<void>;
    warmUp?: () => void;
  } = {},
) {
  const posted: UiToSandbox[] = [];
  const calls: string[] = [];
  /** The image each run was given. */
  const images: RgbaImage[] = [];
  const encodedKeys = new Set<string>();
  /** Each throw-away run of the prompted candidate: how many images were encoded by then. */
  const warmUps: number[] = [];
  let releaseLoad!: () => void;
  const loadGate = new Promise<void>((r) => (releaseLoad = r));
  const ctrl = new Controller({
    post: (m) => posted.push(m),
    decodeForDisplay: opts.decodeForDisplay,
    resultPng: opts.resultPng,
    promptedIdleMs: opts.promptedIdleMs,
    warmUp: opts.warmUp,
    detectBackend: async () => ({ backend: 'wasm', reason: 'test' }),
    loadModel: async (progress) => {
      progress(0.5, 'half');
      await loadGate;
      if (opts.modelFails) throw new Error('this build has no model inside');
      return {
        config: TEST_CONFIG,
        factory: async (): Promise<RunnerHandle> => {
          await opts.sessionsGate;
          return {
            runner: {
              matte: async (img, prompts, o) => {
                // Like SmatRunner: the encoder runs only for an image key it has not seen last.
                const key = o.cacheKey ?? '';
                const cached = encodedKeys.has(key);
                encodedKeys.add(key);
                if (!cached) {
                  o.onStage?.('encoding');
                  calls.push(`encode:${key}`);
                }
                images.push(img);
                if (!opts.earlyPreview) o.onStage?.('matting');
                await opts.beforePreview;
                o.onPreview?.(COARSE);
                await opts.afterPreview;
                if (opts.earlyPreview) o.onStage?.('matting');
                o.onStage?.('upsampling');
                calls.push(`matte:${prompts.length}:${o.cacheKey}:${img.width}x${img.height}`);
                if (opts.matteError) throw opts.matteError;
                return {
                  alpha: ALPHA,
                  width: 8,
                  height: 8,
                  similarity: new Float32Array(1),
                  similaritySize: 1,
                  hasPrompt: prompts.length > 0,
                  timings: {
                    preprocessMs: cached ? 0 : 1,
                    encoderMs: cached ? 0 : 10,
                    headMs: 2,
                    similarityMs: 1,
                    postprocessMs: 3,
                    totalMs: cached ? 5 : 16,
                    encoderCached: cached,
                  },
                };
              },
              // Like SmatRunner: encodes unless that key's features are the ones kept.
              encode: async (img, key) => {
                await opts.encodeGate;
                if (encodedKeys.has(key)) return false;
                encodedKeys.add(key);
                calls.push(`encode:${key}`);
                images.push(img);
                return true;
              },
              release: async () => {},
              loaded: async () => {
                if (opts.laterSessionFails) throw opts.laterSessionFails;
              },
              promptedReady: async () => {},
              // Like SmatRunner: runs only on an image already encoded.
              warmUpPrompted: async () => {
                warmUps.push(encodedKeys.size);
                return encodedKeys.size > 0;
              },
            },
          };
        },
      };
    },
  });
  return { ctrl, posted, calls, images, releaseLoad, warmUps };
}

function job(jobId: string, bytes: Uint8Array | null, extra: Partial<JobMessage> = {}): JobMessage {
  return {
    type: 'job',
    jobId,
    mode: 'prompts',
    index: 0,
    count: 1,
    nodeId: '1:1',
    nodeName: 'Photo',
    imageHash: 'hash-1',
    imageBytes: bytes,
    width: 8,
    height: 8,
    prompts: [{ kind: 'box', x: 0, y: 0, width: 2, height: 2 }],
    promptLayers: [{ id: '5:1', name: 'Box', prompts: [{ kind: 'box', x: 0, y: 0, width: 2, height: 2 }] }],
    unusedLayers: [],
    ...extra,
  };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
};

describe('Controller (panel side effects)', () => {
  it('says ui-ready at once, runs a queued job once the model is ready, and applies a straight-alpha PNG', async () => {
    const { ctrl, posted, calls, releaseLoad } = setup();
    const started = ctrl.start();
    expect(posted[0]).toEqual({ type: 'ui-ready' });
    ctrl.onSandboxMessage(job('j1', encodePng(photo)));
    expect(ctrl.state.job?.phase).toBe('waiting-model');
    releaseLoad();
    await started;
    expect(ctrl.state.model.status).toBe('ready');
    await until(() => ctrl.state.job?.phase === 'review');
    expect(calls).toEqual(['encode:hash-1', 'matte:1:hash-1:8x8']);
    expect(ctrl.display.cutout?.width).toBe(8);
    expect(ctrl.state.job?.timings?.cached).toBe(0);
    expect(ctrl.state.job?.timings?.head).toBe(2);

    await ctrl.apply();
    const apply = posted.find((m) => m.type === 'apply');
    expect(apply && apply.type === 'apply' && apply.output).toBe('cutout');
    const png = decodeImage((apply as { pngBytes: Uint8Array }).pngBytes);
    // Colours decontaminated by default: opaque pixels keep the photo's colour, transparent ones
    // are transparent black, the soft column gets the estimated foreground colour.
    expect(Array.from(png.data)).toEqual(Array.from(applyAlphaAsCutout(photo, ALPHA, { decontaminate: true }).data));
    expect(Array.from(png.data.subarray(0, 4))).toEqual([10, 11, 12, 255]);
    expect(Array.from(png.data.subarray(8, 12))).toEqual([0, 0, 0, 0]);
    ctrl.onSandboxMessage({ type: 'applied', jobId: 'j1', newNodeId: '2:2' });
    expect(ctrl.state.job).toBeNull();
  });

  it("with decontamination switched off, the cut-out keeps the photo's colour everywhere, preview included", async () => {
    const { ctrl, posted, releaseLoad } = setup();
    const started = ctrl.start();
    ctrl.onSandboxMessage(job('j1', encodePng(photo)));
    releaseLoad();
    await started;
    await until(() => ctrl.state.job?.phase === 'review');
    expect(ctrl.state.decontaminate).toBe(true);
    expect(ctrl.display.cutout?.data[8]).toBe(0); // transparent pixel of the preview: cleaned
    const version = ctrl.display.version;
    ctrl.setDecontaminate(false);
    expect(ctrl.state.decontaminate).toBe(false);
    expect(ctrl.display.version).toBeGreaterThan(version);
    expect(ctrl.display.cutout?.data[8]).toBe(photo.data[8]);
    await ctrl.apply();
    const apply = posted.find((m) => m.type === 'apply');
    const png = decodeImage((apply as { pngBytes: Uint8Array }).pngBytes);
    expect(Array.from(png.data)).toEqual(
      Array.from(photo.data).map((v, i) => (i % 4 === 3 ? Math.round(ALPHA[i >> 2] * 255) : v)),
    );
  });

  it('auto mode passes no prompts; mask output is opaque grey', async () => {
    const { ctrl, posted, calls, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    ctrl.setOutput('mask');
    ctrl.onSandboxMessage(job('j2', encodePng(photo), { mode: 'auto' }));
    await until(() => ctrl.state.job?.phase === 'review');
    expect(calls.at(-1)).toBe('matte:0:hash-1:8x8');
    await ctrl.apply();
    const apply = posted.find((m) => m.type === 'apply') as { pngBytes: Uint8Array; output: string };
    expect(apply.output).toBe('mask');
    const png = decodeImage(apply.pngBytes);
    expect(Array.from(png.data.filter((_, i) => i % 4 === 0))).toEqual(MASK_GREY);
    expect(png.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
  });

  it('an undecodable image fails that job with a clear message', async () => {
    const { ctrl, posted, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('bad', new Uint8Array([1, 2, 3])));
    await until(() => ctrl.state.job?.phase === 'failed');
    const failed = posted.find((m) => m.type === 'failed') as { jobId: string; message: string };
    expect(failed.jobId).toBe('bad');
    expect(failed.message).toMatch(/^Could not read the image of “Photo”: unreadable image/);
    expect(ctrl.state.error).toBe(failed.message);
  });

  it('a model that fails to load is shown, and every job fails with that reason', async () => {
    const { ctrl, posted, releaseLoad } = setup({ modelFails: true });
    const started = ctrl.start();
    ctrl.onSandboxMessage(job('a', encodePng(photo), { count: 2 }));
    ctrl.onSandboxMessage(job('b', encodePng(photo), { index: 1, count: 2 }));
    releaseLoad();
    await started;
    expect(ctrl.state.model).toMatchObject({ status: 'error', error: 'this build has no model inside' });
    const failed = posted.filter((m) => m.type === 'failed') as { jobId: string; message: string }[];
    expect(failed.map((f) => f.jobId)).toEqual(['a', 'b']);
    expect(failed[0].message).toMatch(/^Model failed to load: this build has no model inside/);
  });

  it("a session that fails after the encoder's (the runner was ready with it) fails the model and the jobs after it", async () => {
    const { ctrl, posted, releaseLoad } = setup({
      laterSessionFails: new Error("the model head's prompted candidate is corrupt"),
    });
    const states: string[] = [];
    ctrl.subscribe(() => states.push(ctrl.state.model.status));
    const started = ctrl.start();
    releaseLoad();
    await started;
    expect(states).toContain('ready');
    expect(ctrl.state.model).toMatchObject({
      status: 'error',
      error: "the model head's prompted candidate is corrupt",
    });
    ctrl.onSandboxMessage(job('a', encodePng(photo)));
    await new Promise((r) => setTimeout(r, 0));
    const failed = posted.filter((m) => m.type === 'failed') as { jobId: string; message: string }[];
    expect(failed.map((f) => f.message)).toEqual([
      "Model failed to load: the model head's prompted candidate is corrupt",
    ]);
  });

  it("wants the prompted candidate's session once the panel has had no job for a while, or a job has prompts", async () => {
    const idle = setup({ promptedIdleMs: 30 });
    let wanted = false;
    void idle.ctrl.promptedWanted.then(() => (wanted = true));
    const started = idle.ctrl.start();
    idle.ctrl.onSandboxMessage(job('a1', encodePng(photo), { mode: 'auto', prompts: [], promptLayers: [] }));
    idle.releaseLoad();
    await started;
    await until(() => idle.ctrl.state.job?.phase === 'review');
    await new Promise((r) => setTimeout(r, 80));
    expect(wanted, 'an Auto Matte on screen is not idle').toBe(false);
    idle.ctrl.skip();
    idle.ctrl.onSandboxMessage({ type: 'done' });
    expect(idle.ctrl.state.job).toBeNull();
    await until(() => wanted);

    const prompted = setup({ promptedIdleMs: 60_000 });
    let wantedForBox = false;
    void prompted.ctrl.promptedWanted.then(() => (wantedForBox = true));
    prompted.ctrl.onSandboxMessage(job('b1', encodePng(photo)));
    await until(() => wantedForBox);
  });

  it('runs the prompted candidate while the panel idles until it has run twice, a box job counting', async () => {
    /** A loaded panel that idles after 30 ms, with `message`'s matte on screen for 80 ms, then skipped. */
    const shownThenSkipped = async (message: JobMessage) => {
      const panel = setup({ promptedIdleMs: 30 });
      panel.releaseLoad();
      await panel.ctrl.start();
      panel.ctrl.onSandboxMessage(message);
      await until(() => panel.ctrl.state.job?.phase === 'review');
      await new Promise((r) => setTimeout(r, 80));
      const warmUpsOnScreen = [...panel.warmUps];
      panel.ctrl.skip();
      panel.ctrl.onSandboxMessage({ type: 'done' });
      return { ...panel, warmUpsOnScreen };
    };

    const idle = await shownThenSkipped(job('a1', encodePng(photo), { mode: 'auto', prompts: [], promptLayers: [] }));
    expect(idle.warmUpsOnScreen, 'an Auto Matte on screen is not idle').toEqual([]);
    await until(() => idle.warmUps.length === 2);
    expect(idle.warmUps, 'each on an encoded image').toEqual([1, 1]);

    const boxFirst = await shownThenSkipped(job('b1', encodePng(photo)));
    expect(
      boxFirst.warmUpsOnScreen,
      "a box's matte on screen is not idle: an Apply clicked at once would wait",
    ).toEqual([]);
    await until(() => boxFirst.warmUps.length === 1);
    await new Promise((r) => setTimeout(r, 80));
    expect(boxFirst.warmUps, "the box job's run was the first").toEqual([1]);
  });

  it('prepares the photo a designer selects: the run after names it held and starts from its features', async () => {
    const { ctrl, posted, calls, images, releaseLoad } = setup();
    const offer = { type: 'selected-image' as const, imageHash: 'hash-1', width: 8, height: 8 };
    // Offered before the model is ready: prepared once it is.
    ctrl.onSandboxMessage({ ...offer, imageBytes: encodePng(photo) });
    releaseLoad();
    await ctrl.start();
    await until(() => calls.includes('encode:hash-1'));
    expect(ctrl.state.job, 'nothing on screen changes').toBeNull();
    ctrl.requestRun('auto');
    expect(posted.at(-1)).toEqual({ type: 'run', mode: 'auto', heldImageHash: 'hash-1' });
    ctrl.onSandboxMessage(job('after', null, { mode: 'auto', prompts: [], promptLayers: [] }));
    await until(() => ctrl.state.job?.phase === 'review');
    expect(calls).toEqual(['encode:hash-1', 'matte:0:hash-1:8x8']);
    expect(images[1], 'the prepared decode').toBe(images[0]);
    expect(ctrl.state.job?.timings?.cached).toBe(1);
  });

  it('prepares only the latest offer, none while a job is in the panel, and drops one it cannot decode', async () => {
    const { ctrl, calls, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    const bytes = encodePng(photo);
    const offer = (imageHash: string, imageBytes = bytes) =>
      ctrl.onSandboxMessage({ type: 'selected-image', imageHash, imageBytes, width: 8, height: 8 });
    offer('first');
    offer('second');
    await until(() => calls.includes('encode:second'));
    expect(calls).toEqual(['encode:second']);

    ctrl.onSandboxMessage(job('j1', bytes, { imageHash: 'hash-1' }));
    await until(() => ctrl.state.job?.phase === 'review');
    offer('during-review');
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).not.toContain('encode:during-review');

    ctrl.skip();
    ctrl.onSandboxMessage({ type: 'done' });
    offer('broken', new Uint8Array([1, 2, 3]));
    await new Promise((r) => setTimeout(r, 30));
    expect(ctrl.state.error, 'silent: the run on it says what is wrong').toBeNull();
    offer('after-broken');
    await until(() => calls.includes('encode:after-broken'));
    expect(calls.filter((c) => c.startsWith('encode:'))).toEqual([
      'encode:second',
      'encode:hash-1',
      'encode:after-broken',
    ]);
  });

  it('a photo being prepared is no idle time: the idle work waits until it is done', async () => {
    let release!: () => void;
    const encodeGate = new Promise<void>((r) => (release = r));
    const { ctrl, warmUps, calls, releaseLoad } = setup({ promptedIdleMs: 30, encodeGate });
    releaseLoad();
    await ctrl.start();
    let wanted = false;
    void ctrl.promptedWanted.then(() => (wanted = true));
    ctrl.onSandboxMessage({
      type: 'selected-image',
      imageHash: 'sel',
      imageBytes: encodePng(photo),
      width: 8,
      height: 8,
    });
    await new Promise((r) => setTimeout(r, 100));
    // Its graph's streaming and session, and its runs queued ahead of the job, held up the job that came.
    expect(wanted, 'the prompted candidate is not asked for while the photo is prepared').toBe(false);
    expect(warmUps).toEqual([]);
    release();
    await until(() => warmUps.length === 2);
    expect(calls).toEqual(['encode:sel']);
    expect(warmUps, 'after it, on its features').toEqual([1, 1]);
  });

  it('warms its image code up once, after asking for the model and while it loads', async () => {
    const seen: string[] = [];
    const { ctrl, releaseLoad } = setup({
      warmUp: () => seen.push(`${ctrl.state.model.status} ${ctrl.state.model.label}`),
    });
    const started = ctrl.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['loading half']);
    releaseLoad();
    await started;
    expect(seen).toHaveLength(1);
  });

  it('Cancel skips the image; the panel buttons ask the sandbox for a run', async () => {
    const { ctrl, posted, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    ctrl.requestRun('auto');
    expect(posted.at(-1)).toEqual({ type: 'run', mode: 'auto', heldImageHash: null });
    ctrl.onSandboxMessage(job('s1', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'review');
    ctrl.skip();
    expect(posted.at(-1)).toEqual({ type: 'skip', jobId: 's1' });
    expect(ctrl.state.job).toBeNull();
    expect(ctrl.display.cutout).toBeNull();
  });

  it('a second run on the same image hash reuses the encoder output', async () => {
    const { ctrl, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('r1', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'review');
    expect(ctrl.state.job?.timings?.cached).toBe(0);
    ctrl.onSandboxMessage(job('r2', encodePng(photo)));
    await until(() => ctrl.state.job?.jobId === 'r2' && ctrl.state.job?.phase === 'review');
    expect(ctrl.state.job?.timings?.cached).toBe(1);
    expect(ctrl.state.job?.timings?.encoder).toBe(0);
  });

  it('shows the browser-decoded preview first, then matte previews at that size', async () => {
    const shown: string[] = [];
    const { ctrl, releaseLoad } = setup({
      decodeForDisplay: async (_b, maxSide) => {
        shown.push(`decode:${maxSide}`);
        return photo;
      },
    });
    ctrl.subscribe(() => shown.push(`${ctrl.state.job?.phase}:${ctrl.display.source ? 'img' : '-'}`));
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('d1', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'review');
    expect(shown).toContain('decode:720');
    expect(shown.indexOf('decoding:img')).toBeLessThan(shown.indexOf('encoding:img'));
    expect(ctrl.display.source).toBe(photo);
    expect(Array.from(ctrl.display.mask!.data.filter((_, i) => i % 4 === 0))).toEqual(MASK_GREY);
  });

  it('a job that waits for the sessions has its photo shown and decoded meanwhile, once', async () => {
    let openSessions!: () => void;
    const sessionsGate = new Promise<void>((r) => (openSessions = r));
    let decodes = 0;
    const { ctrl, images, releaseLoad } = setup({
      sessionsGate,
      decodeForDisplay: async () => {
        decodes++;
        return photo;
      },
    });
    const started = ctrl.start();
    releaseLoad();
    ctrl.onSandboxMessage(job('w1', encodePng(photo)));
    await until(() => ctrl.display.source !== null);
    expect(ctrl.state.model.status).toBe('loading');
    expect(ctrl.state.job?.phase).toBe('waiting-model');
    openSessions();
    await started;
    await until(() => ctrl.state.job?.phase === 'review');
    expect(decodes).toBe(1);
    expect(images).toHaveLength(1);
    expect(Array.from(images[0].data)).toEqual(Array.from(photo.data));
  });

  it("shows the model's coarse matte first, with Apply off, then the full-resolution one", async () => {
    let releaseFull!: () => void;
    const afterPreview = new Promise<void>((r) => (releaseFull = r));
    const { ctrl, posted, releaseLoad } = setup({ afterPreview });
    const seen: string[] = [];
    ctrl.subscribe(() => seen.push(`${ctrl.state.job?.phase}:${ctrl.display.cutout ? 'cutout' : '-'}`));
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('v1', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'refining');

    // The coarse matte's 2x2 cells, enlarged over the 8x8 photo: the left edge kept, the right one not.
    const grey = Array.from(ctrl.display.mask!.data.filter((_, i) => i % 4 === 0));
    for (let y = 0; y < 8; y++) {
      const row = grey.slice(8 * y, 8 * y + 8);
      expect(row[0]).toBe(255);
      expect(row[7]).toBe(0);
      expect(row.every((v, x) => x === 0 || v <= row[x - 1])).toBe(true);
    }
    expect(grey).not.toEqual(MASK_GREY);
    expect(ctrl.display.cutout!.data[3]).toBe(255);
    expect(ctrl.trace.map(([step]) => step)).toContain('preview');
    expect(ctrl.trace.map(([step]) => step)).not.toContain('matted');

    // Nothing to apply yet: the button is off and a click (or a stale one) writes nothing.
    expect(canApply(ctrl.state.job)).toBe(false);
    expect(statusLine(ctrl.state)).toBe('refining the matte…');
    await ctrl.apply();
    expect(posted.some((m) => m.type === 'apply')).toBe(false);

    releaseFull();
    await until(() => ctrl.state.job?.phase === 'review');
    expect(Array.from(ctrl.display.mask!.data.filter((_, i) => i % 4 === 0))).toEqual(MASK_GREY);
    const steps = ctrl.trace.map(([step]) => step);
    expect(steps.indexOf('preview')).toBeLessThan(steps.indexOf('matted'));
    expect(seen).toContain('refining:cutout');
    expect(seen.indexOf('refining:cutout')).toBeLessThan(seen.indexOf('review:cutout'));
    await ctrl.apply();
    const png = decodeImage((posted.find((m) => m.type === 'apply') as ApplyMessage).pngBytes);
    expect(Array.from(png.data.filter((_, i) => i % 4 === 3))).toEqual(MASK_GREY);
  });

  it('a job replaced or skipped before its coarse matte arrives shows none of it', async () => {
    let releasePreview!: () => void;
    const beforePreview = new Promise<void>((r) => (releasePreview = r));
    let releaseFull!: () => void;
    const afterPreview = new Promise<void>((r) => (releaseFull = r));
    const { ctrl, releaseLoad } = setup({ beforePreview, afterPreview });
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('old', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'matting');
    // A new run (index 0) takes the screen while the old job's model run is still going.
    ctrl.onSandboxMessage(job('new', encodePng(photo), { imageHash: 'hash-2' }));
    expect(ctrl.state.job?.jobId).toBe('new');
    const phases: string[] = [];
    ctrl.subscribe(() => phases.push(`${ctrl.state.job?.jobId}:${ctrl.state.job?.phase}`));
    releasePreview();
    await new Promise((r) => setTimeout(r, 20));
    expect(ctrl.display.cutout).toBeNull();
    expect(ctrl.state.job).toMatchObject({ jobId: 'new', phase: 'decoding' });
    expect(ctrl.trace.map(([step]) => step)).not.toContain('preview');
    releaseFull();
    await until(() => ctrl.state.job?.phase === 'review');
    expect(phases.filter((p) => p.endsWith(':refining'))).toEqual(['new:refining']);

    // Cancel while the model runs: the run's coarse matte comes afterwards and is dropped.
    let releaseLate!: () => void;
    const late = setup({ beforePreview: new Promise<void>((r) => (releaseLate = r)) });
    late.releaseLoad();
    await late.ctrl.start();
    late.ctrl.onSandboxMessage(job('skipped', encodePng(photo)));
    await until(() => late.ctrl.state.job?.phase === 'matting');
    late.ctrl.skip();
    releaseLate();
    await until(() => late.calls.some((c) => c.startsWith('matte:')));
    expect(late.ctrl.state.job).toBeNull();
    expect(late.ctrl.display).toMatchObject({ source: null, cutout: null, mask: null });
  });

  it('whenever the coarse matte comes, the job says "refining" from then until the result', async () => {
    let releaseFull!: () => void;
    const afterPreview = new Promise<void>((r) => (releaseFull = r));
    const { ctrl, releaseLoad } = setup({ earlyPreview: true, afterPreview });
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('e1', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'refining');
    const phases: string[] = [];
    ctrl.subscribe(() => phases.push(ctrl.state.job!.phase));
    releaseFull();
    await until(() => ctrl.state.job?.phase === 'review');
    expect(phases).toEqual(['review']);
  });

  it('a run that fails after its coarse matte takes the coarse matte off the screen', async () => {
    const { ctrl, releaseLoad } = setup({ matteError: new Error('out of memory') });
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('f1', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'failed');
    expect(ctrl.trace.map(([step]) => step)).toContain('preview');
    expect(ctrl.display.cutout).toBeNull();
    expect(ctrl.display.mask).toBeNull();
    expect(ctrl.display.source).not.toBeNull();
  });

  it('a re-prompt on the same image reuses the decoded photo: no decode, no quick preview', async () => {
    const quickDecodes: string[] = [];
    const { ctrl, images, releaseLoad } = setup({
      decodeForDisplay: async () => {
        quickDecodes.push(ctrl.state.job!.jobId);
        return photo;
      },
    });
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('first', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'review');
    expect(ctrl.trace.map(([step]) => step)).toContain('decoded');

    // The box moved: a new job (a new run) on the same Figma image.
    const moved = { kind: 'box' as const, x: 1, y: 1, width: 2, height: 2 };
    ctrl.onSandboxMessage(job('moved', encodePng(photo), { prompts: [moved] }));
    await until(() => ctrl.state.job?.jobId === 'moved' && ctrl.state.job.phase === 'review');
    expect(images[1]).toBe(images[0]);
    expect(quickDecodes).toEqual(['first']);
    const steps = ctrl.trace.map(([step]) => step);
    expect(steps).toContain('reused');
    expect(steps).not.toContain('decoded');
    expect(steps).not.toContain('shown');
    expect(ctrl.display.source).toBe(photo);
    expect(ctrl.state.job?.timings?.cached).toBe(1);

    // Another image (another hash) is decoded; so is the same hash at another size.
    ctrl.onSandboxMessage(job('other', encodePng(photo), { imageHash: 'hash-2' }));
    await until(() => ctrl.state.job?.jobId === 'other' && ctrl.state.job.phase === 'review');
    expect(images[2]).not.toBe(images[1]);
    const wide: RgbaImage = { width: 16, height: 8, data: new Uint8Array(512).fill(90) };
    ctrl.onSandboxMessage(job('resized', encodePng(wide), { imageHash: 'hash-2', width: 16, height: 8 }));
    // The fake model's matte is 8x8 whatever the size: only the image it was given matters here.
    await until(() => images.length === 4);
    expect(images[3].width).toBe(16);
    expect(quickDecodes).toEqual(['first', 'other', 'resized']);
  });

  /** A panel that decoded the photo 'hash-1' for a job the user then skipped. */
  async function afterOneSkippedJob() {
    const panel = setup();
    panel.releaseLoad();
    await panel.ctrl.start();
    panel.ctrl.onSandboxMessage(job('first', encodePng(photo)));
    await until(() => panel.ctrl.state.job?.phase === 'review');
    panel.ctrl.skip();
    return panel;
  }

  it("names the photo it holds in each run, and mattes a job that comes without that photo's bytes", async () => {
    const { ctrl, posted, images } = await afterOneSkippedJob();
    ctrl.requestRun('prompts');
    expect(posted.at(-1)).toEqual({ type: 'run', mode: 'prompts', heldImageHash: 'hash-1' });

    const moved = { kind: 'box' as const, x: 1, y: 1, width: 2, height: 2 };
    ctrl.onSandboxMessage(job('moved', null, { prompts: [moved] }));
    await until(() => ctrl.state.job?.jobId === 'moved' && ctrl.state.job.phase === 'review');
    expect(images[1]).toBe(images[0]);
    expect(ctrl.trace.map(([step]) => step)).toContain('reused');
  });

  it('a job without bytes on an image the panel does not hold fails with a message; the photo it holds stays named', async () => {
    const { ctrl, posted, images } = await afterOneSkippedJob();
    ctrl.onSandboxMessage(job('elsewhere', null, { imageHash: 'hash-2', nodeName: 'Beach' }));
    await until(() => ctrl.state.job?.phase === 'failed');
    expect(ctrl.state.job?.error).toBe('The panel no longer holds the image of “Beach”. Run SMat again.');
    expect(posted.at(-1)).toMatchObject({ type: 'failed', jobId: 'elsewhere' });
    expect(images).toHaveLength(1);
    // The photo it holds is still the first one.
    ctrl.requestRun('auto');
    expect(posted.at(-1)).toEqual({ type: 'run', mode: 'auto', heldImageHash: 'hash-1' });
  });

  it('prompts outside the image get their own message', async () => {
    const { ctrl, posted, releaseLoad } = setup({ matteError: new PromptOutsideImageError() });
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('o1', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'failed');
    expect((posted.find((m) => m.type === 'failed') as { message: string }).message).toMatch(
      /lies outside the image: draw/,
    );
  });

  it('tells the outside-the-image error by its class, not its wording', async () => {
    const { ctrl, posted, releaseLoad } = setup({ matteError: new Error('every prompt lies outside the image') });
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('o2', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'failed');
    expect((posted.find((m) => m.type === 'failed') as { message: string }).message).toMatch(/^The model failed on/);
  });

  it('ignores messages that are not plugin messages', () => {
    const { ctrl } = setup();
    ctrl.onSandboxMessage(undefined);
    ctrl.onSandboxMessage({ foo: 1 } as never);
    expect(ctrl.state.job).toBeNull();
  });

  it('lists the prompt layers; an excluded one re-runs the head without it and is not named in Apply', async () => {
    const { ctrl, posted, calls, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    const box = { kind: 'box' as const, x: 0, y: 0, width: 2, height: 2 };
    const dot = { kind: 'point' as const, x: 3, y: 1 };
    ctrl.onSandboxMessage(
      job('p1', encodePng(photo), {
        prompts: [box, dot],
        promptLayers: [
          { id: '5:1', name: 'Box', prompts: [box] },
          { id: '6:1', name: 'Design rectangle', prompts: [dot] },
        ],
      }),
    );
    await until(() => ctrl.state.job?.phase === 'review');
    expect(ctrl.state.job?.promptLayers.map((l) => l.name)).toEqual(['Box', 'Design rectangle']);
    expect(calls.at(-1)).toBe('matte:2:hash-1:8x8');

    ctrl.toggleLayer('6:1');
    expect(ctrl.state.job?.prompts).toEqual([box]);
    expect(ctrl.display.cutout).toBeNull(); // the old matte is not shown (or applied) any more
    await until(() => ctrl.state.job?.phase === 'review');
    expect(calls.slice(-2)).toEqual(['matte:2:hash-1:8x8', 'matte:1:hash-1:8x8']);
    expect(ctrl.state.job?.timings?.cached).toBe(1);

    await ctrl.apply();
    const apply = posted.find((m) => m.type === 'apply') as ApplyMessage;
    expect(apply.promptLayerIds).toEqual(['5:1']);
  });

  it('with every prompt layer excluded there is nothing to apply until one is included again', async () => {
    const { ctrl, posted, calls, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('p2', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'review');
    const runs = calls.length;
    ctrl.toggleLayer('5:1');
    expect(ctrl.state.job?.prompts).toEqual([]);
    expect(statusLine(ctrl.state)).toMatch(/every prompt layer is excluded/);
    await ctrl.apply();
    expect(posted.some((m) => m.type === 'apply')).toBe(false);
    expect(calls.length).toBe(runs);
    ctrl.toggleLayer('5:1');
    await until(() => ctrl.state.job?.phase === 'review' && ctrl.display.cutout !== null);
    await ctrl.apply();
    expect((posted.find((m) => m.type === 'apply') as ApplyMessage).promptLayerIds).toEqual(['5:1']);
  });

  it('an image too small or too thin for the model is refused before it runs (the rule `smat matte` applies)', async () => {
    const { ctrl, posted, calls, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    const cases = [
      [1, 1, 'image is 1x1: too small to matte (needs at least 8 pixels on each side)'],
      [3, 5000, 'image is 3x5000: too small to matte'],
      [10, 1000, 'image is 10x1000: too thin to matte'],
    ] as const;
    for (const [width, height, why] of cases) {
      const blank: RgbaImage = { width, height, data: new Uint8Array(4 * width * height).fill(200) };
      const jobId = `${width}x${height}`;
      ctrl.onSandboxMessage(job(jobId, encodePng(blank), { mode: 'auto', width, height, nodeName: 'Strip' }));
      await until(() => ctrl.state.job?.jobId === jobId && ctrl.state.job.phase === 'failed');
      const failed = posted.find((m) => m.type === 'failed' && m.jobId === jobId) as { message: string };
      expect(failed.message).toContain(`SMat can't cut out “Strip”: the ${why}`);
      expect(failed.message).toMatch(/Nothing was written\.$/);
      expect(ctrl.state.error).toBe(failed.message);
    }
    expect(calls.filter((c) => c.startsWith('encode') || c.startsWith('matte'))).toEqual([]);
    await ctrl.apply();
    expect(posted.some((m) => m.type === 'apply')).toBe(false);
  });

  it("checks the decoded size against Figma's size right after decoding, before running the model", async () => {
    const { ctrl, posted, calls, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('s1', encodePng(photo), { width: 16, height: 8 }));
    await until(() => ctrl.state.job?.phase === 'failed');
    expect((posted.find((m) => m.type === 'failed') as { message: string }).message).toBe(
      'Could not read the image of “Photo”: it decodes to 8×8 px but Figma reports 16×8 px.',
    );
    expect(calls.filter((c) => c.startsWith('encode') || c.startsWith('matte'))).toEqual([]);
  });

  it("starts Apply's PNG off the page's thread once the matte is made; Apply sends it, a changed output makes another", async () => {
    const made: string[] = [];
    const { ctrl, posted, releaseLoad } = setup({
      resultPng: {
        offThread: true,
        make: async (inputs) => {
          made.push(inputs.output);
          return encodeResultPng(inputs);
        },
      },
    });
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('p1', encodePng(photo)));
    await until(() => ctrl.trace.some(([step]) => step === 'png-made'));
    expect(made).toEqual(['cutout']);
    await ctrl.apply();
    const applied = posted.find((m) => m.type === 'apply') as ApplyMessage;
    expect(made).toEqual(['cutout']);
    expect(Array.from(decodeImage(applied.pngBytes).data)).toEqual(
      Array.from(applyAlphaAsCutout(photo, ALPHA, { decontaminate: true }).data),
    );

    ctrl.onSandboxMessage({ type: 'applied', jobId: 'p1', newNodeId: '2:2' });
    ctrl.onSandboxMessage(job('p2', encodePng(photo)));
    await until(() => made.length === 2 && ctrl.state.job?.phase === 'review');
    ctrl.setOutput('mask');
    await ctrl.apply();
    const mask = posted.filter((m) => m.type === 'apply').at(-1) as ApplyMessage;
    expect(made).toEqual(['cutout', 'cutout', 'mask']);
    expect(Array.from(decodeImage(mask.pngBytes).data)).toEqual(Array.from(alphaAsLuminanceMask(ALPHA, 8, 8).data));
  });

  it("without a worker, Apply's PNG is made only when Apply is clicked", async () => {
    const { ctrl, posted, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('h1', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'review');
    expect(ctrl.trace.map(([step]) => step)).not.toContain('png-made');
    await ctrl.apply();
    expect(ctrl.trace.map(([step]) => step)).toContain('png-ready');
    expect(posted.some((m) => m.type === 'apply')).toBe(true);
  });

  it("the Apply message carries exactly the PNG bytes, not the encoder's whole buffer", async () => {
    const { ctrl, posted, releaseLoad } = setup();
    releaseLoad();
    await ctrl.start();
    ctrl.onSandboxMessage(job('b1', encodePng(photo)));
    await until(() => ctrl.state.job?.phase === 'review');
    await ctrl.apply();
    const { pngBytes } = posted.find((m) => m.type === 'apply') as ApplyMessage;
    expect(pngBytes.byteOffset).toBe(0);
    expect(pngBytes.buffer.byteLength).toBe(pngBytes.byteLength);
    expect(decodeImage(pngBytes).width).toBe(8);
  });
});
