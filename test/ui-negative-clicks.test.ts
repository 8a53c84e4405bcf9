// "Not this" clicks in the panel: the controller hands them to core's real SmatRunner (here over a
// fake ORT that records what the head is fed), which keeps them out of the prompt mask and gives
// them SAM's negative label and does not let them widen a box; with only "not this" clicks left the panel does not run the model and
// says what to include; the help text states the convention.
import type { VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../core/image-codecs';
import type { ApplyMessage, JobMessage, PromptLayer, UiToSandbox } from '../core/messages';
import { GRAPH_ROLES, type GraphRole, type SmatModelConfig } from '../core/model-config';
import type { RgbaImage } from '../core/rgba-image';
import { SAM_LABEL } from '../core/sam-points';
import { SmatRunner, type OrtModuleLike, type OrtSessionLike, type OrtTensorLike } from '../core/smat-runner';
import { Controller } from '../ui/controller';
import { Hint } from '../ui/hint';
import { canApply, statusLine } from '../ui/state';

/** Model input 64 and a 64x64 photo: source pixels are model pixels. */
const S = 64;
const F = 4;
const CONFIG: SmatModelConfig = {
  inputSize: S,
  featureSize: F,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  pointRadiusFraction: 1 / 16,
  minScribbleWidth: 3,
  encoder: 'e.onnx',
  saliency: 'a.onnx',
  prompted: 'p.onnx',
  decoder: 'd.onnx',
  refiner: 'r.onnx',
};
const photo: RgbaImage = {
  width: S,
  height: S,
  data: new Uint8Array(S * S * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 7) % 256)),
};

class Tensor implements OrtTensorLike {
  readonly type = 'float32';
  constructor(
    _type: 'float32',
    readonly data: Float32Array,
    readonly dims: readonly number[],
  ) {}
}

/** An ORT whose encoder returns zero features, whose prompted candidate keeps its feeds and whose decoder says "all of it". */
function fakeOrt() {
  const headFeeds: Array<Record<string, OrtTensorLike>> = [];
  const session = (inputNames: string[], outputNames: string[], run: OrtSessionLike['run']): OrtSessionLike => ({
    inputNames,
    outputNames,
    run,
    release: async () => {},
  });
  const encoder = session(['image'], ['features'], async () => ({
    features: new Tensor('float32', new Float32Array(256 * F * F), [1, 256, F, F]),
  }));
  const maps = () => ({
    similarity: new Tensor('float32', new Float32Array(F * F), [1, 1, F, F]),
    similarity_logit: new Tensor('float32', new Float32Array(16 * F * F), [1, 1, 4 * F, 4 * F]),
  });
  const saliency = session(['features'], ['similarity', 'similarity_logit'], async () => maps());
  const prompted = session(
    ['features', 'prompt_mask', 'point_coords', 'point_labels'],
    ['similarity', 'similarity_logit', 'prompt_weights'],
    async (feeds) => {
      headFeeds.push(feeds);
      return { ...maps(), prompt_weights: new Tensor('float32', new Float32Array(F * F), [1, 1, F, F]) };
    },
  );
  // A logit of 30: alpha 1 to float precision.
  const decoder = session(
    ['features', 'image', 'similarity', 'similarity_logit', 'prompt_weights'],
    ['logit'],
    async () => ({ logit: new Tensor('float32', new Float32Array(S * S).fill(30), [1, 1, S, S]) }),
  );
  const refiner = session(['image', 'logit'], ['alpha'], async () => ({
    alpha: new Tensor('float32', new Float32Array(S * S).fill(1), [1, 1, S, S]),
  }));
  // Sessions are made in GRAPH_ROLES order.
  const byRole: Record<GraphRole, OrtSessionLike> = { encoder, saliency, prompted, decoder, refiner };
  const sessions = GRAPH_ROLES.map((role) => byRole[role]);
  let created = 0;
  const ort: OrtModuleLike = {
    Tensor,
    InferenceSession: { create: async () => sessions[created++] },
  };
  return { ort, headFeeds };
}

async function panelWithRunner() {
  const { ort, headFeeds } = fakeOrt();
  const graph = new Uint8Array(1);
  const graphs = { encoder: graph, saliency: graph, prompted: graph, decoder: graph, refiner: graph };
  const runner = await SmatRunner.create({ ort, graphs, config: CONFIG });
  const posted: UiToSandbox[] = [];
  const ctrl = new Controller({
    post: (m) => posted.push(m),
    detectBackend: async () => ({ backend: 'wasm', reason: 'test' }),
    loadModel: async () => ({ config: CONFIG, factory: async () => ({ runner }) }),
  });
  await ctrl.start();
  return { ctrl, posted, headFeeds };
}

const BOX = { kind: 'box' as const, x: 0, y: 0, width: 32, height: 64 };
const NOT_THIS = { kind: 'point' as const, x: 48, y: 32, negative: true };
const layers: PromptLayer[] = [
  { id: '5:1', name: 'Box', prompts: [BOX] },
  { id: '6:1', name: 'Ellipse 1', prompts: [NOT_THIS] },
];

function job(jobId: string, promptLayers: PromptLayer[]): JobMessage {
  return {
    type: 'job',
    jobId,
    mode: 'prompts',
    index: 0,
    count: 1,
    nodeId: '1:1',
    nodeName: 'Photo',
    imageHash: jobId,
    imageBytes: encodePng(photo),
    width: S,
    height: S,
    prompts: promptLayers.flatMap((l) => l.prompts),
    promptLayers,
    unusedLayers: [],
  };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
};

describe('"not this" clicks in the panel', () => {
  it("reach the head's prompted candidate as negative points and stay out of the prompt mask", async () => {
    const { ctrl, posted, headFeeds } = await panelWithRunner();
    ctrl.onSandboxMessage(job('n1', layers));
    await until(() => ctrl.state.job?.phase === 'review');
    expect(ctrl.state.job?.prompts).toEqual([BOX, NOT_THIS]);
    const feeds = headFeeds.at(-1)!;
    const mask = feeds.prompt_mask.data as Float32Array;
    expect(mask[32 * S + 10]).toBe(1); // in the box
    expect(mask[32 * S + 48]).toBe(0); // under the "not this" click
    expect(mask.slice(0, S).every((v, x) => v === (x < 32 ? 1 : 0))).toBe(true);
    expect(Array.from(feeds.point_labels.data as Float32Array)).toEqual([
      SAM_LABEL.negativeClick,
      SAM_LABEL.boxTopLeft,
      SAM_LABEL.boxBottomRight,
    ]);
    expect(Array.from(feeds.point_coords.data as Float32Array).slice(0, 2)).toEqual([48, 32]);
    expect(canApply(ctrl.state.job)).toBe(true);

    // The matte reaches a few pixels past the box (the fade), not out to the "not this" click.
    await ctrl.apply();
    const written = decodeImage((posted.find((m) => m.type === 'apply') as ApplyMessage).pngBytes);
    const alphaAt = (x: number, y: number) => written.data[4 * (y * S + x) + 3];
    expect([alphaAt(10, 32), alphaAt(31, 32), alphaAt(40, 32), alphaAt(48, 32)]).toEqual([255, 255, 0, 0]);
  });

  it('with only "not this" clicks left, the model does not run, Apply stays off and the status says what to include', async () => {
    const { ctrl, posted, headFeeds } = await panelWithRunner();
    ctrl.onSandboxMessage(job('n2', layers));
    await until(() => ctrl.state.job?.phase === 'review');
    const runs = headFeeds.length;

    ctrl.toggleLayer('5:1');
    expect(ctrl.state.job?.prompts).toEqual([NOT_THIS]);
    expect(ctrl.state.job?.phase).toBe('review');
    expect(statusLine(ctrl.state)).toBe(
      'only "not this" dots are left: include a box, a dot or a stroke on the object to keep',
    );
    expect(canApply(ctrl.state.job)).toBe(false);
    await ctrl.apply();
    expect(posted.some((m) => m.type === 'apply' || m.type === 'failed')).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(headFeeds.length).toBe(runs);

    ctrl.toggleLayer('5:1');
    await until(() => ctrl.state.job?.phase === 'review' && ctrl.display.cutout !== null);
    expect(headFeeds.length).toBe(runs + 1);
    await ctrl.apply();
    expect((posted.find((m) => m.type === 'apply') as ApplyMessage).promptLayerIds).toEqual(['5:1', '6:1']);
  });

  it('a host that sends only "not this" clicks gets the reason and what to add, not a model failure', async () => {
    const { ctrl, posted } = await panelWithRunner();
    ctrl.onSandboxMessage(job('n3', [layers[1]]));
    await until(() => ctrl.state.job?.phase === 'failed');
    const failed = posted.find((m) => m.type === 'failed') as { message: string };
    expect(failed.message).toBe(
      'The prompts for “Photo” are all "not this" dots: add a box, a dot or a stroke on the object to keep.',
    );
  });
});

describe('help text', () => {
  it('says the "not this" convention in one line', () => {
    const text = (node: unknown): string => {
      if (typeof node === 'string' || typeof node === 'number') return String(node);
      if (Array.isArray(node)) return node.map(text).join('');
      if (!node || typeof node !== 'object') return '';
      return text((node as VNode<{ children?: unknown }>).props?.children);
    };
    expect(text(Hint())).toContain(
      'A red dot, or a dot named “not …” or “- …”, marks what to leave out (“+ …” keeps a red dot a click on the object).',
    );
  });
});
