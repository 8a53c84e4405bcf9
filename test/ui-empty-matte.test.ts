// An empty matte is never offered for Apply without a word: the panel's controller with the real
// model (onnxruntime-node) on real pixels, where the model itself returns a blank matte. Needs
// models/ (PYTHONPATH=. python3 -m smat_model.export.export_onnx).
import { haveShippedModel } from './shipped-model';
import { readModelFiles } from '../cli/model-files';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyMessage, JobMessage, PromptLayer, UiToSandbox } from '../core/messages';
import { decodeImage, encodePng } from '../core/image-codecs';
import { parseModelConfig } from '../core/model-config';
import type { RgbaImage } from '../core/rgba-image';
import { SmatRunner, type OrtModuleLike } from '../core/smat-runner';
import { Controller } from '../ui/controller';
import { isEmptyMatte } from '../core/empty-matte';
import { JobReview } from '../ui/job-review';
import { canApply, initialState, jobView, statusLine } from '../ui/state';

const repo = resolve(__dirname, '..');
const haveModels = haveShippedModel();
if (!haveModels) console.warn('[ui-empty-matte] SKIPPED: model files missing in models/');

/** examples/coffee.png, 600x400: a cup on a table. */
const COFFEE = join(repo, 'examples', 'coffee.png');
/** The cup, as `npm run demo` boxes it. */
const CUP_BOX = { kind: 'box' as const, x: 170, y: 15, width: 265, height: 310 };
/** Thinner and shorter than one pixel of the photo, in the middle of the cup. */
const SLIVER_BOX = { kind: 'box' as const, x: 300.2, y: 200.2, width: 0.3, height: 0.3 };

const until = async (cond: () => boolean, ms = 120_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

function jobFor(jobId: string, bytes: Uint8Array, size: RgbaImage, extra: Partial<JobMessage>): JobMessage {
  return {
    type: 'job',
    jobId,
    mode: 'auto',
    index: 0,
    count: 1,
    nodeId: '1:1',
    nodeName: 'Photo',
    imageHash: jobId,
    imageBytes: bytes,
    width: size.width,
    height: size.height,
    prompts: [],
    promptLayers: [],
    unusedLayers: [],
    ...extra,
  };
}

function promptsJob(jobId: string, layers: PromptLayer[]): Partial<JobMessage> {
  return { jobId, mode: 'prompts', prompts: layers.flatMap((l) => l.prompts), promptLayers: layers };
}

describe.skipIf(!haveModels)('empty mattes from the real model', () => {
  let runner: SmatRunner;
  let ctrl: Controller;
  let posted: UiToSandbox[];
  const coffeeBytes = readFileSync(COFFEE);
  const coffee = decodeImage(coffeeBytes);

  beforeAll(async () => {
    const { graphs, config } = readModelFiles(join(repo, 'models'));
    runner = await SmatRunner.create({
      ort: ortNode as unknown as OrtModuleLike,
      graphs,
      config,
      sessionOptions: { intraOpNumThreads: 2 },
    });
    posted = [];
    ctrl = new Controller({
      post: (m) => posted.push(m),
      detectBackend: async () => ({ backend: 'wasm', reason: 'test' }),
      loadModel: async () => ({ config: parseModelConfig(runner.config), factory: async () => ({ runner }) }),
    });
    await ctrl.start();
    expect(ctrl.state.model.status).toBe('ready');
  }, 120_000);

  afterAll(async () => {
    await runner?.release();
  });

  async function review(msg: JobMessage) {
    posted.length = 0;
    ctrl.onSandboxMessage(msg);
    await until(() => ctrl.state.job?.jobId === msg.jobId && ctrl.state.job.phase === 'review');
    return ctrl.state.job!;
  }

  async function expectNoApply() {
    await ctrl.apply();
    expect(posted.filter((m) => m.type === 'apply')).toEqual([]);
    expect(ctrl.state.job?.phase).toBe('review');
  }

  it('Auto Matte on a one-colour image: told why, Apply off', async () => {
    const flat: RgbaImage = { width: 300, height: 200, data: new Uint8Array(300 * 200 * 4) };
    for (let i = 0; i < flat.data.length; i += 4) flat.data.set([92, 128, 171, 255], i);
    const job = await review(jobFor('flat', encodePng(flat), flat, {}));
    expect(job.emptyMatte).toBe(
      'SMat found nothing to cut out in “Photo”: the matte is empty, so there is nothing to apply. ' +
        'A photo of one colour has no subject; to pick an object, draw a rectangle around it and use Matte with prompts.',
    );
    expect(canApply(job)).toBe(false);
    expect(statusLine(ctrl.state)).toBe('the matte is empty: nothing to apply');
    await expectNoApply();
    ctrl.skip();
    expect(posted.at(-1)).toEqual({ type: 'skip', jobId: 'flat' });
  }, 120_000);

  it('a box smaller than a pixel of a real photo: told why, Apply off', async () => {
    const sliver = { id: '9:1', name: 'Sliver', prompts: [SLIVER_BOX] };
    const job = await review(jobFor('sliver', coffeeBytes, coffee, promptsJob('sliver', [sliver])));
    expect(job.emptyMatte).toMatch(/^The prompts on “Photo” select nothing: the matte is empty/);
    expect(canApply(job)).toBe(false);
    await expectNoApply();
    ctrl.skip();
  }, 120_000);

  it('excluding the layer that held the object empties the matte; including it again allows Apply', async () => {
    const sliver = { id: '9:1', name: 'Sliver', prompts: [SLIVER_BOX] };
    const cup = { id: '9:2', name: 'Cup', prompts: [CUP_BOX] };
    let job = await review(jobFor('toggle', coffeeBytes, coffee, promptsJob('toggle', [sliver, cup])));
    expect(job.emptyMatte).toBeNull();
    expect(canApply(job)).toBe(true);

    ctrl.toggleLayer('9:2');
    await until(() => ctrl.state.job?.phase === 'review');
    job = ctrl.state.job!;
    expect(job.emptyMatte).toMatch(/select nothing/);
    await expectNoApply();

    ctrl.toggleLayer('9:2');
    await until(() => ctrl.state.job?.phase === 'review');
    expect(ctrl.state.job?.emptyMatte).toBeNull();
    await ctrl.apply();
    const apply = posted.find((m) => m.type === 'apply') as ApplyMessage;
    expect(apply.promptLayerIds).toEqual(['9:1', '9:2']);
    // The cup is there: a good share of the photo is opaque in what goes to Figma.
    const written = decodeImage(apply.pngBytes);
    const opaque = written.data.filter((v, i) => i % 4 === 3 && v > 127).length;
    expect(opaque / (written.width * written.height)).toBeGreaterThan(0.2);
  }, 120_000);
});

describe('what counts as empty', () => {
  /** A width x height matte with an opaque side x side square in its top-left corner. */
  const square = (width: number, height: number, side: number) =>
    Float32Array.from({ length: width * height }, (_, i) => (i % width < side && Math.floor(i / width) < side ? 1 : 0));

  it('less than one cell of the feature grid (600 px / 48 cells = 12.5 px) is empty; one cell is not', () => {
    expect(isEmptyMatte(new Float32Array(600 * 400), 600, 400, 48)).toBe(true);
    expect(isEmptyMatte(square(600, 400, 12), 600, 400, 48)).toBe(true);
    expect(isEmptyMatte(square(600, 400, 13), 600, 400, 48)).toBe(false);
    // Soft alpha counts by its amount: half-transparent over 13x13 px is under one cell.
    expect(
      isEmptyMatte(
        square(600, 400, 13).map((a) => a / 2),
        600,
        400,
        48,
      ),
    ).toBe(true);
  });

  it('on an image smaller than the grid, one opaque pixel is enough', () => {
    expect(isEmptyMatte(square(8, 8, 1), 8, 8, 48)).toBe(false);
    expect(
      isEmptyMatte(
        square(8, 8, 1).map((a) => a * 0.9),
        8,
        8,
        48,
      ),
    ).toBe(true);
  });

  it('the job on screen shows why next to the disabled Apply', () => {
    const msg = { ...jobFor('e', new Uint8Array(0), { width: 10, height: 10, data: new Uint8Array(0) }, {}) };
    const job = { ...jobView(msg, true), phase: 'review' as const, emptyMatte: 'nothing here' };
    const ctrl = {
      display: { source: null, cutout: null, mask: null, version: 0 },
      modelConfig: null,
    } as unknown as Controller;
    const found: unknown[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      const props = (node as { props?: Record<string, unknown> }).props ?? {};
      if (props['data-testid'] === 'empty-matte') found.push(props.children);
      walk(props.children);
    };
    walk(JobReview({ ctrl, state: { ...initialState, job }, job }));
    expect(found).toEqual(['nothing here']);
    expect(canApply(job)).toBe(false);
    expect(canApply({ ...job, emptyMatte: null })).toBe(true);
  });
});
