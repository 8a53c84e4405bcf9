// Integration: real ECSSD photos through the real exported models. Needs models/ (written by
// PYTHONPATH=. python3 -m smat_model.export.export_onnx) and the data folder (SMAT_DATA, default ../shared/data).
import { haveShippedModel } from './shipped-model';
import { readModelFiles } from '../cli/model-files';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ortNode from 'onnxruntime-node';
import { SmatRunner, type MattePreview, type OrtModuleLike } from '../core/smat-runner';
import { byGraphRole } from '../core/model-config';
import { resamplePlanes } from '../core/resample';
import { decodeImage } from '../core/image-codecs';
import { boxFromMask } from '../core/prompts-from-mask';
import { PromptOutsideImageError } from '../core/errors';
import { binaryIou } from '../core/metrics';
import type { RgbaImage } from '../core/rgba-image';

const repo = resolve(__dirname, '..');
const modelDir = join(repo, 'models');
const dataDir = resolve(repo, process.env.SMAT_DATA ?? '../shared/data');
const haveModels = haveShippedModel(modelDir);
const haveData = existsSync(join(dataDir, 'ecssd-val', 'images'));
if (!haveModels)
  console.warn(
    `[core-smat-runner] SKIPPED: model files missing in ${modelDir} (run PYTHONPATH=. python3 -m smat_model.export.export_onnx)`,
  );
if (!haveData) console.warn(`[core-smat-runner] SKIPPED: no data at ${dataDir} (set SMAT_DATA)`);

function loadSample(name: string): { image: RgbaImage; gt: Float32Array } {
  const image = decodeImage(readFileSync(join(dataDir, 'ecssd-val', 'images', `${name}.jpg`)));
  const m = decodeImage(readFileSync(join(dataDir, 'ecssd-val', 'masks', `${name}.png`)));
  const gt = new Float32Array(m.width * m.height);
  for (let i = 0; i < gt.length; i++) gt[i] = m.data[4 * i] / 255;
  expect([m.width, m.height]).toEqual([image.width, image.height]);
  return { image, gt };
}

/** The image and a copy of it to its right, as one image twice as wide. */
function sideBySide(image: RgbaImage): RgbaImage {
  const width = 2 * image.width;
  const data = new Uint8Array(4 * width * image.height);
  for (let y = 0; y < image.height; y++) {
    const row = image.data.subarray(4 * y * image.width, 4 * (y + 1) * image.width);
    data.set(row, 4 * y * width);
    data.set(row, 4 * (y * width + image.width));
  }
  return { width, height: image.height, data };
}

async function makeRunner(ort: OrtModuleLike, sessionOptions?: object): Promise<SmatRunner> {
  const { graphs, config } = readModelFiles(modelDir);
  return SmatRunner.create({ ort, graphs, config, sessionOptions });
}

describe.skipIf(!haveModels || !haveData)('SmatRunner on real photos (onnxruntime-node)', () => {
  let runner: SmatRunner;
  // Two photos where the model's box matte is known to be good (IoU 0.95 / 0.97 through `smat eval`):
  // this checks the runner reproduces it; average quality is `npm run validate`'s job.
  const names = ['0036', '0042'];

  beforeAll(async () => {
    runner = await makeRunner(ortNode as unknown as OrtModuleLike, { intraOpNumThreads: 2 });
  }, 60_000);
  afterAll(async () => {
    await runner?.release();
  });

  it('a box from the ground-truth mask gives IoU > 0.85 at full resolution', async () => {
    for (const name of names) {
      const { image, gt } = loadSample(name);
      const box = boxFromMask(gt, image.width, image.height)!;
      const result = await runner.matte(image, [box], { cacheKey: name });
      expect(result.alpha.length).toBe(image.width * image.height);
      expect(result.hasPrompt).toBe(true);
      expect(result.alpha.every((v) => v >= 0 && v <= 1)).toBe(true);
      const score = binaryIou(result.alpha, gt);
      console.info(`[core-smat-runner] ${name} ${image.width}x${image.height} box IoU ${score.toFixed(3)}`);
      expect(score).toBeGreaterThan(0.85);
    }
  }, 120_000);

  it("a box around the astronaut keeps her orange suit, not only her face (the README's picture)", async () => {
    // A head that cut the suit away (step 6800 kept 15% of it) can still raise the validation
    // mean on clicks; this photo is the one every reader of the README sees.
    const image = decodeImage(readFileSync(join(repo, 'examples', 'astronaut.png')));
    const box = { kind: 'box' as const, x: 61, y: 20, width: 389, height: 492 };
    const { alpha } = await runner.matte(image, [box]);
    let suit = 0;
    let kept = 0;
    for (let y = box.y; y < box.y + box.height; y++) {
      for (let x = box.x; x < box.x + box.width; x++) {
        const i = y * image.width + x;
        const [r, g, b] = image.data.subarray(4 * i, 4 * i + 3);
        // Orange: the flag's reds have less green, the background's greys more blue.
        if (r > 170 && g > 60 && g < 150 && b < 90) {
          suit++;
          if (alpha[i] >= 0.5) kept++;
        }
      }
    }
    console.info(`[core-smat-runner] astronaut box: ${((100 * kept) / suit).toFixed(1)}% of ${suit} suit pixels kept`);
    expect(suit).toBeGreaterThan(20_000);
    expect(kept / suit).toBeGreaterThan(0.7);
  }, 120_000);

  it('a box picks one of two copies of the same subject', async () => {
    // The photo twice side by side: both copies match the box's candidate equally, so the model
    // alone keeps both (IoU 0.48 against the boxed copy, mean alpha 0.92 on the other).
    const { image, gt } = loadSample(names[0]);
    const twin = sideBySide(image);
    const target = new Float32Array(twin.width * twin.height);
    for (let y = 0; y < image.height; y++)
      target.set(gt.subarray(y * image.width, (y + 1) * image.width), y * twin.width);
    const result = await runner.matte(twin, [boxFromMask(target, twin.width, twin.height)!]);
    let onOtherCopy = 0;
    let otherCopyPixels = 0;
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        if (gt[y * image.width + x] > 0.5) {
          onOtherCopy += result.alpha[y * twin.width + image.width + x];
          otherCopyPixels++;
        }
      }
    }
    expect(onOtherCopy / otherCopyPixels).toBeLessThan(0.01);
    expect(binaryIou(result.alpha, target)).toBeGreaterThan(0.85);
  }, 120_000);

  it('a second prompt on the same image re-runs only the head, and says so as it goes', async () => {
    const { image, gt } = loadSample(names[0]);
    runner.clearCache();
    const stages: string[][] = [[], []];
    const first = await runner.matte(image, [boxFromMask(gt, image.width, image.height)!], {
      cacheKey: 'same',
      onStage: (s) => stages[0].push(s),
    });
    const second = await runner.matte(image, [{ kind: 'point', x: image.width / 2, y: image.height / 2 }], {
      cacheKey: 'same',
      onStage: (s) => stages[1].push(s),
    });
    expect(stages).toEqual([
      ['encoding', 'matting', 'upsampling'],
      ['matting', 'upsampling'],
    ]);
    expect(first.timings.encoderCached).toBe(false);
    expect(first.timings.encoderMs).toBeGreaterThan(0);
    expect(second.timings.encoderCached).toBe(true);
    expect(second.timings.encoderMs).toBe(0);
    expect(second.similarity.length).toBe(second.similaritySize ** 2);
    // A different key encodes again.
    const third = await runner.matte(image, [], { cacheKey: 'other' });
    expect(third.timings.encoderCached).toBe(false);
    expect(third.hasPrompt).toBe(false);
  }, 120_000);

  it('encodes a photo ahead of its matte: the matte then starts from those features and is the same', async () => {
    const { image, gt } = loadSample(names[1]);
    const box = boxFromMask(gt, image.width, image.height)!;
    runner.clearCache();
    const direct = await runner.matte(image, [box], { cacheKey: 'direct' });
    runner.clearCache();
    expect(await runner.encode(image, 'ahead')).toBe(true);
    expect(await runner.encode(image, 'ahead'), 'kept already').toBe(false);
    const stages: string[] = [];
    const after = await runner.matte(image, [box], { cacheKey: 'ahead', onStage: (s) => stages.push(s) });
    expect(stages).toEqual(['matting', 'upsampling']);
    expect(after.timings.encoderCached).toBe(true);
    expect(after.alpha).toEqual(direct.alpha);
  }, 120_000);

  it("warms the prompted candidate up on the last image's features, changing no matte", async () => {
    const { image, gt } = loadSample(names[1]);
    runner.clearCache();
    expect(await runner.warmUpPrompted(), 'no image encoded yet: nothing to run on').toBe(false);
    const box = boxFromMask(gt, image.width, image.height)!;
    const before = await runner.matte(image, [box], { cacheKey: 'warm' });
    expect(await runner.warmUpPrompted()).toBe(true);
    const after = await runner.matte(image, [box], { cacheKey: 'warm' });
    expect(after.timings.encoderCached).toBe(true);
    expect(after.alpha).toEqual(before.alpha);
  }, 120_000);

  it('offers the similarity stage as a coarse matte over the image before the decoder runs', async () => {
    const { image, gt } = loadSample(names[1]);
    const order: string[] = [];
    let preview: MattePreview | null = null;
    const result = await runner.matte(image, [boxFromMask(gt, image.width, image.height)!], {
      cacheKey: 'preview',
      onStage: (s) => order.push(s),
      // The panel waits here for a paint; the decoder must not start before it.
      onPreview: async (p) => {
        order.push('preview');
        preview = p;
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push('painted');
      },
    });
    expect(order).toEqual(['encoding', 'matting', 'preview', 'painted', 'upsampling']);
    const p = preview as unknown as MattePreview;
    // SAM's mask resolution, 1/4 of the model's input, over the image's part of the letterbox.
    const scale = runner.inputSize / 4 / Math.max(image.width, image.height);
    expect(p.width).toBe(Math.ceil(image.width * scale));
    expect(p.height).toBe(Math.ceil(image.height * scale));
    // Coarse, but the same object as the full matte.
    const full = resamplePlanes(result.alpha, image.width, image.height, p.width, p.height, 1);
    expect(binaryIou(p.alpha, full)).toBeGreaterThan(0.85);
  }, 60_000);

  it('refuses prompts that all lie outside the image', async () => {
    const { image } = loadSample(names[0]);
    await expect(runner.matte(image, [{ kind: 'point', x: -50, y: -50 }])).rejects.toThrow(PromptOutsideImageError);
  }, 60_000);

  it("is made with the encoder's session alone: a run waits for the graphs still arriving, and a graph that fails reaches loaded() and the runs that need it", async () => {
    const { graphs, config } = readModelFiles(modelDir);
    const gates = byGraphRole(() => {
      let open!: () => void;
      let fail!: (error: Error) => void;
      const wait = new Promise<void>((resolve, reject) => {
        open = resolve;
        fail = reject;
      });
      return { wait, open, fail };
    });
    const arriving = byGraphRole((role) =>
      role === 'encoder' ? graphs.encoder : gates[role].wait.then(() => graphs[role]),
    );
    const late = await SmatRunner.create({
      ort: ortNode as unknown as OrtModuleLike,
      graphs: arriving,
      config,
      sessionOptions: { intraOpNumThreads: 2 },
    });
    try {
      const { image } = loadSample(names[0]);
      let done = false;
      const auto = late.matte(image, [], { cacheKey: 'late' }).finally(() => (done = true));
      await new Promise((r) => setTimeout(r, 3000));
      expect(done, 'the run finished without the decoder').toBe(false);
      for (const role of ['decoder', 'refiner', 'saliency'] as const) gates[role].open();
      const expected = await runner.matte(image, []);
      expect(Array.from((await auto).alpha)).toEqual(Array.from(expected.alpha));

      gates.prompted.fail(new Error("the model head's prompted candidate is corrupt"));
      await expect(late.loaded()).rejects.toThrow(/prompted candidate is corrupt/);
      const box = boxFromMask(loadSample(names[0]).gt, image.width, image.height)!;
      await expect(late.matte(image, [box], { cacheKey: 'late' })).rejects.toThrow(/prompted candidate is corrupt/);
    } finally {
      await late.release();
    }
  }, 120_000);

  it('onnxruntime-web (WASM, as in the plugin) gives the same matte', async () => {
    const ortWeb = (await import('onnxruntime-web')) as unknown as OrtModuleLike & {
      env: { wasm: { numThreads: number } };
    };
    ortWeb.env.wasm.numThreads = 1;
    const web = await makeRunner(ortWeb, { executionProviders: ['wasm'] });
    try {
      const { image, gt } = loadSample(names[0]);
      const box = boxFromMask(gt, image.width, image.height)!;
      const a = await runner.matte(image, [box], { cacheKey: 'node' });
      const b = await web.matte(image, [box]);
      // The encoder's int8 products quantize their inputs per call, and each runtime's kernel
      // rounds on its own (features within 0.006 of fp32 in both): the mattes agree as mattes,
      // while a pixel on the edge may move by a tenth.
      let sumDiff = 0;
      let both = 0;
      let either = 0;
      for (let i = 0; i < a.alpha.length; i++) {
        sumDiff += Math.abs(a.alpha[i] - b.alpha[i]);
        const inA = a.alpha[i] >= 0.5;
        const inB = b.alpha[i] >= 0.5;
        if (inA && inB) both++;
        if (inA || inB) either++;
      }
      console.log(
        `node vs web: mean |alpha diff| ${(sumDiff / a.alpha.length).toExponential(2)}, IoU ${(both / either).toFixed(5)}`,
      );
      expect(sumDiff / a.alpha.length).toBeLessThan(1e-3);
      expect(both / either).toBeGreaterThan(0.995);
    } finally {
      await web.release();
    }
  }, 180_000);
});
