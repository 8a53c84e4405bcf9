import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyAlphaAsCutout } from '../core/composite';
import { guidedUpsample } from '../core/guided-upsample';
import { decodeImage } from '../core/image-codecs';
import { keepMainParts } from '../core/keep-main-parts';
import { keepPromptedParts } from '../core/keep-prompted-parts';
import { findMatteParts } from '../core/matte-parts';
import { letterbox } from '../core/letterbox';
import { resamplePlanes } from '../core/resample';
import { Scratch } from '../core/scratch';

describe('Scratch', () => {
  it('hands the same memory back under a name, shorter requests as a view of it', () => {
    const scratch = new Scratch();
    const a = scratch.float32('plane', 100);
    a.fill(7);
    const b = scratch.float32('plane', 60);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(60);
    expect(b[0]).toBe(7); // stale contents, unless asked for zeros
    expect(Array.from(scratch.float32('plane', 60, true))).toEqual(new Array(60).fill(0));
    expect(scratch.float32('other', 100).buffer).not.toBe(a.buffer);
    expect(scratch.int32('plane', 10).buffer).not.toBe(a.buffer); // names are per kind
    expect(scratch.bytes).toBe(100 * 4 + 100 * 4 + 10 * 4);
  });

  it('grows a name when a longer array is asked for, and keeps nothing past its budget', () => {
    const scratch = new Scratch(1000);
    scratch.uint8('rows', 400);
    const grown = scratch.uint8('rows', 800);
    expect(scratch.bytes).toBe(800);
    expect(scratch.uint8('rows', 800).buffer).toBe(grown.buffer);
    const over = scratch.uint8('big', 300);
    expect(scratch.uint8('big', 300).buffer, 'past the budget: a fresh array each time').not.toBe(over.buffer);
    expect(scratch.bytes).toBe(800);
    expect(Array.from(scratch.uint8('big', 4))).toEqual([0, 0, 0, 0]);
  });
});

describe('matte parts through a kept Scratch', () => {
  it("are not joined by another matte's values left in its arrays", () => {
    const kept = new Scratch();
    // A wider matte, opaque everywhere: its values lie where the next one's empty border is.
    findMatteParts(new Float32Array(12 * 9).fill(1), 12, 9, kept);
    // Two parts, each on the image's edge: only the border between them keeps them apart.
    const W = 8;
    const H = 6;
    const alpha = new Float32Array(W * H);
    for (const [x, y] of [
      [0, 0],
      [0, 1],
      [7, 5],
      [7, 4],
      [6, 5],
    ])
      alpha[y * W + x] = 1;
    const parts = findMatteParts(alpha, W, H, kept);
    expect(parts.count).toBe(2);
    expect(Array.from(parts.area).sort()).toEqual([2, 3]);
    expect(keepMainParts(alpha, W, H, undefined, kept)).toEqual(keepMainParts(alpha, W, H));
  });
});

// Real photos of different sizes and their ground-truth masks as the model's alpha (brought to 768,
// so their edges are soft): the steps the panel repeats give exactly the same result through one
// Scratch kept across all the calls as with fresh arrays.
const dataDir = process.env.SMAT_DATA ? resolve(process.env.SMAT_DATA) : resolve(__dirname, '../../shared/data');
const haveData = existsSync(join(dataDir, 'ecssd-val', 'images'));
if (!haveData) console.warn(`[core-scratch] SKIPPED the photo test: no data at ${dataDir} (set SMAT_DATA)`);

describe('steps through one kept Scratch', () => {
  it.skipIf(!haveData)('give what fresh arrays give, photo after photo of other sizes', { timeout: 120_000 }, () => {
    const S = 768;
    const kept = new Scratch();
    for (const name of ['0042', '0023', '0050', '0042']) {
      const image = decodeImage(new Uint8Array(readFileSync(join(dataDir, 'ecssd-val/images', `${name}.jpg`))));
      const mask = decodeImage(new Uint8Array(readFileSync(join(dataDir, 'ecssd-val/masks', `${name}.png`))));
      const { width: W, height: H } = image;
      const box = letterbox(image, S);
      expect(Array.from(letterbox(image, S, undefined, undefined, kept).tensor)).toEqual(Array.from(box.tensor));

      const maskPlane = Float32Array.from({ length: W * H }, (_, i) => mask.data[4 * i] / 255);
      const content = resamplePlanes(maskPlane, W, H, box.contentWidth, box.contentHeight);
      const alphaS = new Float32Array(S * S);
      for (let y = 0; y < box.contentHeight; y++)
        alphaS.set(content.subarray(y * box.contentWidth, (y + 1) * box.contentWidth), y * S);

      const fresh = guidedUpsample(alphaS, S, box.contentWidth, box.contentHeight, image);
      const reused = guidedUpsample(alphaS, S, box.contentWidth, box.contentHeight, image, {}, kept);
      expect(reused).toEqual(fresh);
      const soft = fresh.filter((a) => a > 0 && a < 1).length;
      expect(soft, `${name}: a soft edge to estimate colours on`).toBeGreaterThan(500);

      expect(keepMainParts(fresh, W, H, undefined, kept)).toEqual(keepMainParts(fresh, W, H));
      const touched = new Uint8Array(W * H);
      touched[Math.floor(H / 2) * W + Math.floor(W / 2)] = 1;
      expect(keepPromptedParts(fresh, W, H, touched, kept)).toEqual(keepPromptedParts(fresh, W, H, touched));
      const cutout = applyAlphaAsCutout(image, fresh, { decontaminate: true });
      const cutoutKept = applyAlphaAsCutout(image, fresh, { decontaminate: true, foreground: { scratch: kept } });
      expect(Buffer.compare(Buffer.from(cutoutKept.data), Buffer.from(cutout.data))).toBe(0);
    }
  });
});
