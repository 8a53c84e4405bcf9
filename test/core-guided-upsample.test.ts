import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../core/image-codecs';
import { binaryIou } from '../core/metrics';
import { bilinearUpsample, guidedUpsample } from '../core/guided-upsample';
import { resamplePlanes } from '../core/resample';
import type { RgbaImage } from '../core/rgba-image';

// A 1024x512 photo with a vertical step edge at x = 400.3 (dark left = background, bright right =
// object), anti-aliased like a real camera edge. The model sees it at 128 (scale 1/8); its alpha is
// the true alpha at that resolution (area average), optionally smeared further as a network might.
const W = 1024,
  H = 512,
  S = 128,
  EDGE = 400.3;
const trueAlpha = (x: number) => Math.min(1, Math.max(0, x + 1 - EDGE));

function photo(): RgbaImage {
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const a = trueAlpha(x);
      const v = Math.round(40 + a * 180 + ((x * 7 + y * 13) % 5)); // a little texture
      data.set([v, v, v, 255], 4 * (y * W + x));
    }
  }
  return { width: W, height: H, data };
}

function modelAlpha(smear: number): Float32Array {
  const full = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) full[y * W + x] = trueAlpha(x);
  const low = resamplePlanes(full, W, H, S, S / 2);
  // Smear over 2*smear+1 model pixels, then place into the padded S x S output.
  const out = new Float32Array(S * S);
  for (let y = 0; y < S / 2; y++) {
    for (let x = 0; x < S; x++) {
      let acc = 0,
        n = 0;
      for (let k = -smear; k <= smear; k++) {
        const xx = Math.min(S - 1, Math.max(0, x + k));
        acc += low[y * S + xx];
        n++;
      }
      out[y * S + x] = acc / n;
    }
  }
  for (let i = (S / 2) * S; i < S * S; i++) out[i] = 0.7; // padding garbage must be cropped away
  return out;
}

const meanAbsError = (alpha: Float32Array) => {
  let e = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) e += Math.abs(alpha[y * W + x] - trueAlpha(x));
  return e / (W * H);
};

describe('guidedUpsample', () => {
  const image = photo();
  const low = modelAlpha(0);
  const guided = guidedUpsample(low, S, S, S / 2, image);
  const bilinear = bilinearUpsample(low, S, S, S / 2, W, H);

  it('returns alpha at the source resolution in [0,1]', () => {
    expect(guided.length).toBe(W * H);
    expect(guided.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('lands closer to the true step edge than bilinear', () => {
    const eg = meanAbsError(guided),
      eb = meanAbsError(bilinear);
    expect(eg).toBeLessThan(eb * 0.5);
    // The transition width (0.1 -> 0.9) shrinks toward the 1-pixel true edge.
    const width = (alpha: Float32Array) => {
      const row = alpha.subarray(200 * W, 201 * W);
      return row.findIndex((v) => v > 0.9) - row.findIndex((v) => v > 0.1);
    };
    expect(width(guided)).toBeLessThan(width(bilinear));
    expect(width(guided)).toBeLessThanOrEqual(4);
  });

  it('still beats bilinear when the model alpha is blurrier than its resolution', () => {
    const blurry = modelAlpha(1);
    const eg = meanAbsError(guidedUpsample(blurry, S, S, S / 2, image));
    const eb = meanAbsError(bilinearUpsample(blurry, S, S, S / 2, W, H));
    expect(eg).toBeLessThan(eb);
  });

  it('keeps flat regions flat', () => {
    expect(guided[100 * W + 50]).toBeLessThan(0.05);
    expect(guided[100 * W + 900]).toBeGreaterThan(0.95);
  });

  it('works when the source is smaller than the model size', () => {
    const small: RgbaImage = { width: 20, height: 10, data: new Uint8Array(800).fill(128) };
    const a = new Float32Array(64 * 64).fill(0.25);
    const out = guidedUpsample(a, 64, 64, 32, small);
    expect(out.length).toBe(200);
    for (const v of out) expect(v).toBeCloseTo(0.25, 3);
  });

  it('finds an edge between colours of equal brightness', () => {
    // Red (grey 76.2) on green (grey 76.3): a grey guide sees a flat image here.
    const data = new Uint8Array(W * H * 4);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) data.set(x >= EDGE ? [255, 0, 0, 255] : [0, 130, 0, 255], 4 * (y * W + x));
    const alpha = guidedUpsample(modelAlpha(1), S, S, S / 2, { width: W, height: H, data });
    const row = alpha.subarray(200 * W, 201 * W);
    expect(row.findIndex((v) => v > 0.9) - row.findIndex((v) => v > 0.1)).toBeLessThanOrEqual(2);
    expect(meanAbsError(alpha)).toBeLessThan(0.5 * meanAbsError(bilinearUpsample(modelAlpha(1), S, S, S / 2, W, H)));
  });

  it('leaves no faint veil: near-certain alpha becomes exactly 0 or 1', () => {
    const faint = new Float32Array(S * S).fill(0.03);
    const flat: RgbaImage = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 4).fill(90) };
    expect(guidedUpsample(faint, S, S, S, flat).every((v) => v === 0)).toBe(true);
    expect(guidedUpsample(faint.fill(0.97), S, S, S, flat).every((v) => v === 1)).toBe(true);
    expect(guidedUpsample(faint.fill(0.5), S, S, S, flat).every((v) => Math.abs(v - 0.5) < 1e-3)).toBe(true);
  });
});

const repo = resolve(__dirname, '..');
const dataDir = resolve(repo, process.env.SMAT_DATA ?? '../shared/data');
const haveData = existsSync(join(dataDir, 'ecssd-val', 'images'));
if (!haveData) console.warn(`[core-guided-upsample] SKIPPED the photo test: no data at ${dataDir} (set SMAT_DATA)`);

describe.skipIf(!haveData)('guidedUpsample on a 1200-pixel photo', () => {
  it('fits at 384 on a side (the fast guided filter) and gives the full-size fit its matte', () => {
    // A real photo and its mask, enlarged to a size designers paste; the model's alpha is the mask
    // at 768, softened over a few pixels as the decoder's is.
    const read = (folder: string, ext: string) =>
      decodeImage(readFileSync(join(dataDir, 'ecssd-val', folder, `0042.${ext}`)));
    const small = read('images', 'jpg');
    const W = 1200;
    const H = Math.round((small.height * W) / small.width);
    const image = { width: W, height: H, data: resamplePlanes(small.data, small.width, small.height, W, H, 4, 4) };
    const mask = read('masks', 'png');
    const grey = Float32Array.from({ length: mask.width * mask.height }, (_, i) => mask.data[4 * i] / 255);
    const truth = resamplePlanes(grey, mask.width, mask.height, W, H);
    const S = 768;
    const h = Math.round((H * S) / W);
    const low = new Float32Array(S * S);
    low.set(resamplePlanes(resamplePlanes(grey, mask.width, mask.height, S / 4, h / 4), S / 4, h / 4, S, h));
    const fast = guidedUpsample(low, S, S, h, { ...image, data: Uint8Array.from(image.data) });
    const full = guidedUpsample(low, S, S, h, { ...image, data: Uint8Array.from(image.data) }, { fitMaxSide: S });
    expect(binaryIou(fast, full)).toBeGreaterThan(0.99);
    const error = (alpha: Float32Array) => alpha.reduce((e, a, i) => e + Math.abs(a - truth[i]), 0) / alpha.length;
    expect(error(fast)).toBeLessThan(1.1 * error(full));
  });
});
