// Foreground colour estimation ("decontaminate colours"): core/estimate-foreground.ts, the
// cut-out built with it (core/composite.ts), and its block-average shrink (core/box-downsample.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boxDownsample } from '../core/box-downsample';
import { applyAlphaAsCutout } from '../core/composite';
import { estimateForeground, estimateForegroundByOwnAlpha } from '../core/estimate-foreground';
import { decodeImage } from '../core/image-codecs';
import type { RgbaImage } from '../core/rgba-image';

const RED = [230, 20, 30];
const GREEN = [30, 200, 40];

/**
 * A red disc with a soft rim (alpha ramps over `rim` pixels) on green, composited exactly:
 * I = a * red + (1 - a) * green. The green is textured unless `flat`, so the background is not
 * one colour the estimator could guess from anywhere.
 */
function redOnGreen(size: number, rim: number, flat = false): { image: RgbaImage; alpha: Float32Array } {
  const data = new Uint8Array(size * size * 4);
  const alpha = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const d = Math.hypot(x + 0.5 - size / 2, y + 0.5 - size / 2);
      const a = Math.min(1, Math.max(0, (size * 0.3 - d) / rim + 0.5));
      // Quantised as the cut-out will store it, so the photo obeys the equation for that alpha.
      alpha[i] = Math.round(a * 255) / 255;
      const g = flat ? GREEN : [GREEN[0] + ((x * 7) % 20), GREEN[1] - ((x * y) % 40), GREEN[2] + ((y * 5) % 25)];
      for (let c = 0; c < 3; c++) data[4 * i + c] = Math.round(alpha[i] * RED[c] + (1 - alpha[i]) * g[c]);
      data[4 * i + 3] = 255;
    }
  }
  return { image: { width: size, height: size, data }, alpha };
}

/**
 * Largest and mean per-channel distance from RED over the pixels with alpha in [lo, 1). Near
 * alpha = lo the photo's own 8-bit rounding is magnified 1/lo times, so "red" allows some slack.
 */
function worstRedDistance(
  image: RgbaImage,
  alpha: Float32Array,
  lo: number,
): { worst: number; mean: number; count: number } {
  const soft = [...alpha.keys()].filter((i) => alpha[i] >= lo && alpha[i] < 1);
  const distances = soft.flatMap((i) => RED.map((red, c) => Math.abs(image.data[4 * i + c] - red)));
  return {
    worst: distances.reduce((w, d) => Math.max(w, d), 0),
    // A third of each channel distance: the mean over a pixel's three channels, averaged over the pixels.
    mean: distances.reduce((sum, d) => sum + d / 3, 0) / soft.length,
    count: soft.length,
  };
}

describe('estimateForeground', () => {
  it('leaves every byte of alpha-0 and alpha-1 pixels, and the alpha channel, as it was', () => {
    const { image, alpha } = redOnGreen(64, 6);
    const out = estimateForeground(image, alpha);
    let changedSoft = 0;
    for (let i = 0; i < alpha.length; i++) {
      expect(out.data[4 * i + 3]).toBe(image.data[4 * i + 3]);
      if (alpha[i] === 0 || alpha[i] === 1) {
        for (let c = 0; c < 3; c++) expect(out.data[4 * i + c]).toBe(image.data[4 * i + c]);
      } else if (out.data[4 * i + 1] !== image.data[4 * i + 1]) changedSoft++;
    }
    expect(changedSoft).toBeGreaterThan(100);
    expect(image.data).not.toBe(out.data);
  });

  it('gives the soft rim of a red subject on green its red back', () => {
    for (const flat of [true, false]) {
      const { image, alpha } = redOnGreen(96, 8, flat);
      // In the photo the rim is a red-green mix, far from red...
      expect(worstRedDistance(image, alpha, 0.05).worst).toBeGreaterThan(150);
      const out = estimateForeground(image, alpha);
      // ...after estimation it is red wherever the subject contributes at least 5%.
      const { worst, mean, count } = worstRedDistance(out, alpha, 0.05);
      expect(count).toBeGreaterThan(300);
      expect(worst).toBeLessThanOrEqual(20);
      expect(mean).toBeLessThanOrEqual(4);
    }
  });

  it('does the same when the photo is larger than the solver works at (two-stage path)', () => {
    const { image, alpha } = redOnGreen(200, 12, false);
    const out = estimateForeground(image, alpha, { maxWorkSide: 64 });
    const { worst, mean, count } = worstRedDistance(out, alpha, 0.05);
    expect(count).toBeGreaterThan(1000);
    expect(worst).toBeLessThanOrEqual(20);
    expect(mean).toBeLessThanOrEqual(4);
    for (let i = 0; i < alpha.length; i++) {
      if (alpha[i] === 1) expect(out.data[4 * i]).toBe(image.data[4 * i]);
    }
  });

  it('returns the photo unchanged when nothing is soft, and rejects a mismatched alpha', () => {
    const { image } = redOnGreen(16, 1);
    const hard = new Float32Array(256).map((_, i) => (i % 3 === 0 ? 1 : 0));
    expect(Array.from(estimateForeground(image, hard).data)).toEqual(Array.from(image.data));
    expect(() => estimateForeground(image, new Float32Array(10))).toThrow(/alpha has 10 values/);
  });
});

describe('estimateForegroundByOwnAlpha', () => {
  it("gives what estimateForeground gives with the image's alpha channel as the alpha, on both paths", () => {
    for (const maxWorkSide of [1024, 40]) {
      const { image, alpha } = redOnGreen(100, 8, false);
      for (let i = 0; i < alpha.length; i++) image.data[4 * i + 3] = Math.round(alpha[i] * 255);
      const expected = estimateForeground(image, alpha, { maxWorkSide });
      const inPlace = { ...image, data: new Uint8Array(image.data) };
      estimateForegroundByOwnAlpha(inPlace, { maxWorkSide });
      expect(Array.from(inPlace.data)).toEqual(Array.from(expected.data));
    }
  });
});

describe('applyAlphaAsCutout with decontaminate', () => {
  it('keeps opaque pixels, makes transparent ones transparent black, and cleans the rim', () => {
    const { image, alpha } = redOnGreen(64, 6);
    const plain = applyAlphaAsCutout(image, alpha);
    const clean = applyAlphaAsCutout(image, alpha, { decontaminate: true });
    for (let i = 0; i < alpha.length; i++) {
      expect(clean.data[4 * i + 3]).toBe(plain.data[4 * i + 3]);
      if (alpha[i] === 1) for (let c = 0; c < 3; c++) expect(clean.data[4 * i + c]).toBe(image.data[4 * i + c]);
      if (alpha[i] === 0) expect(Array.from(clean.data.subarray(4 * i, 4 * i + 4))).toEqual([0, 0, 0, 0]);
    }
    expect(worstRedDistance(clean, alpha, 0.05).worst).toBeLessThanOrEqual(20);
    expect(worstRedDistance(clean, alpha, 0.05).mean).toBeLessThanOrEqual(4);
    // Off (the default for the core function): the photo's colour everywhere, as before.
    for (let i = 0; i < alpha.length; i++)
      for (let c = 0; c < 3; c++) expect(plain.data[4 * i + c]).toBe(image.data[4 * i + c]);
  });

  it('treats pixels the source itself made transparent as transparent', () => {
    const { image, alpha } = redOnGreen(32, 4);
    image.data[3] = 0; // top-left corner: transparent in the source, alpha 0 from the matte too
    image.data[4 * (16 * 32 + 16) + 3] = 0; // the centre: opaque in the matte, transparent in the source
    const clean = applyAlphaAsCutout(image, alpha, { decontaminate: true });
    expect(Array.from(clean.data.subarray(4 * (16 * 32 + 16), 4 * (16 * 32 + 16) + 4))).toEqual([0, 0, 0, 0]);
  });
});

// Real data: held-out composites with a known foreground (smat_model/data/make_foreground_composites.py),
// the estimator given the true alpha. Skipped without the data folder or Debian's Python stack.
const repo = resolve(__dirname, '..');
const dataDir = resolve(repo, process.env.SMAT_DATA ?? '../shared/data');
const haveData = existsSync(join(dataDir, 'duts-tr')) && existsSync(join(dataDir, 'backgrounds'));
if (!haveData) console.warn(`[core-estimate-foreground] real-data test SKIPPED: no data at ${dataDir} (set SMAT_DATA)`);

describe('on held-out composites', () => {
  it.skipIf(!haveData)(
    'at least halves the soft-band colour error of the photo (true alpha)',
    { timeout: 120_000 },
    () => {
      const out = mkdtempSync(join(tmpdir(), 'smat-fg-'));
      const r = spawnSync(
        '/usr/bin/python3',
        ['-m', 'smat_model.data.make_foreground_composites', '--data', dataDir, '--out', out, '--count', '6'],
        {
          cwd: repo,
          env: { ...process.env, PYTHONPATH: '.' },
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0);
      let photoErr = 0;
      let estErr = 0;
      let n = 0;
      for (const name of readdirSync(join(out, 'images'))) {
        const read = (sub: string) => decodeImage(new Uint8Array(readFileSync(join(out, sub, name))));
        const image = read('images');
        const fg = read('fg');
        const a = read('alpha');
        const alpha = new Float32Array(image.width * image.height).map((_, i) => a.data[4 * i] / 255);
        const est = estimateForeground(image, alpha);
        for (let i = 0; i < alpha.length; i++) {
          if (!(alpha[i] > 0.05 && alpha[i] < 0.95)) continue;
          n++;
          for (let c = 0; c < 3; c++) {
            photoErr += Math.abs(image.data[4 * i + c] - fg.data[4 * i + c]);
            estErr += Math.abs(est.data[4 * i + c] - fg.data[4 * i + c]);
          }
        }
      }
      expect(n).toBeGreaterThan(5000);
      expect(estErr).toBeLessThan(photoErr / 2);
    },
  );
});

describe('boxDownsample', () => {
  it('averages k x k blocks, the partial ones at the edges over the pixels they hold', () => {
    // 5x3, one channel read from RGBA-like stride 2, k = 2 -> 3x2.
    const src = new Uint8Array([
      1, 9, 2, 9, 3, 9, 4, 9, 5, 9, 6, 9, 7, 9, 8, 9, 9, 9, 10, 9, 11, 9, 12, 9, 13, 9, 14, 9, 15, 9,
    ]);
    const r = boxDownsample(src, 5, 3, 2, 1, 2);
    expect([r.width, r.height]).toEqual([3, 2]);
    expect(Array.from(r.data)).toEqual([4, 6, 7.5, 11.5, 13.5, 15]);
  });
});
