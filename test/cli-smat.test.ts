// The smat command as a user runs it: a child process through bin/smat.mjs.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../core/image-codecs';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'smat.mjs');
const dataDir = resolve(repo, process.env.SMAT_DATA ?? '../shared/data');
const coffee = [join(repo, 'examples', 'coffee.png'), join(dataDir, 'examples', 'coffee.png')].find((p) => existsSync(p));
const haveModels = ['smat-encoder.onnx', 'smat-head.onnx', 'model.json'].every((f) => existsSync(join(repo, 'models', f)));
const ecssd = join(dataDir, 'ecssd-val');
if (!haveModels) console.warn(`[cli-smat] model runs SKIPPED: model files missing in ${join(repo, 'models')}`);
if (!coffee) console.warn('[cli-smat] SKIPPED parts: examples/coffee.png not found (set SMAT_DATA)');

const tmp = mkdtempSync(join(tmpdir(), 'smat-cli-'));

function smat(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: tmp, timeout: 170_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function expectOneLineError(r: { code: number; stderr: string }, pattern: RegExp) {
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^smat: error: /);
  expect(lines[0]).toMatch(pattern);
}

describe('smat matte', { timeout: 60_000 }, () => {
  it.skipIf(!haveModels || !coffee)('writes a full-resolution straight-alpha cut-out of coffee.png', async () => {
    const out = join(tmp, 'coffee-cutout.png');
    const r = await smat(['matte', coffee!, '-o', out, '--threads', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const src = decodeImage(readFileSync(coffee!));
    const img = decodeImage(readFileSync(out));
    expect([img.width, img.height]).toEqual([600, 400]);
    let min = 255, max = 0, rgbKept = true;
    for (let i = 0; i < 600 * 400; i++) {
      const a = img.data[4 * i + 3];
      min = Math.min(min, a);
      max = Math.max(max, a);
      if (img.data[4 * i] !== src.data[4 * i] || img.data[4 * i + 1] !== src.data[4 * i + 1]) rgbKept = false;
    }
    // Some of the photo is kept and some cut away.
    expect(max - min).toBeGreaterThan(127);
    expect(rgbKept).toBe(true);
  }, 180_000);

  it.skipIf(!haveModels || !coffee)('--mask-only with a box writes an opaque grey mask', async () => {
    const out = join(tmp, 'coffee-mask.png');
    const r = await smat(['matte', coffee!, '-o', out, '--box', '100,20,400,360', '--mask-only', '--threads', '2']);
    expect(r.code).toBe(0);
    const img = decodeImage(readFileSync(out));
    expect([img.width, img.height]).toEqual([600, 400]);
    const grey = new Set<number>();
    for (let i = 0; i < 600 * 400; i++) {
      expect(img.data[4 * i + 3]).toBe(255);
      grey.add(img.data[4 * i]);
    }
    expect(grey.size).toBeGreaterThan(10);
  }, 180_000);

  it('fails with one clear line for a missing input', async () => {
    expectOneLineError(await smat(['matte', join(tmp, 'nope.png'), '-o', join(tmp, 'x.png')]), /input image not found: .*nope\.png/);
  });

  it('fails with one clear line for an unreadable input', async () => {
    const gif = join(tmp, 'anim.gif');
    writeFileSync(gif, 'GIF89a\x01\x00\x01\x00');
    expectOneLineError(await smat(['matte', gif, '-o', join(tmp, 'x.png')]), /unsupported image format GIF/);
    const txt = join(tmp, 'notes.png');
    writeFileSync(txt, 'not an image');
    expectOneLineError(await smat(['matte', txt, '-o', join(tmp, 'x.png')]), /neither PNG nor JPEG/);
  });

  it.skipIf(!coffee)('fails with one clear line for a malformed --box or --point', async () => {
    expectOneLineError(await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--box', '10,20,30']), /malformed --box "10,20,30"/);
    expectOneLineError(await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--box', 'a,b,c,d']), /malformed --box/);
    expectOneLineError(await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--point', '5']), /malformed --point/);
  });

  it.skipIf(!coffee)('fails when every prompt lies outside the image', async () => {
    expectOneLineError(await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--box', '700,0,50,50', '--point', '-3,-3']), /every prompt lies outside the image/);
  });

  it.skipIf(!coffee)('fails when the model files are missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'smat-nomodels-'));
    expectOneLineError(await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--models', empty]), /model files missing in .*smat-encoder\.onnx/);
  });

  it('fails on a missing -o and on unknown options', async () => {
    expectOneLineError(await smat(['matte', 'a.png']), /-o/);
    expectOneLineError(await smat(['matte', 'a.png', '-o', 'b.png', '--frobnicate']), /unknown option --frobnicate/);
  });
});

describe('smat eval', { timeout: 60_000 }, () => {
  const names = existsSync(ecssd) ? readdirSync(join(ecssd, 'masks')).sort().slice(0, 3) : [];

  it.skipIf(names.length === 0)('scores saved predictions from --pred and writes the JSON summary', async () => {
    // Ground truth scored against itself: perfect scores.
    const pred = join(tmp, 'pred');
    mkdirSync(pred, { recursive: true });
    for (const n of names) copyFileSync(join(ecssd, 'masks', n), join(pred, n));
    const json = join(tmp, 'eval.json');
    const r = await smat(['eval', '--images', join(ecssd, 'images'), '--gt', join(ecssd, 'masks'), '--prompt', 'box', '--pred', pred, '--limit', '3', '--json', json, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/iou\s+1\.0000/);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    expect(s.n).toBe(3);
    expect(s.prompt).toBe('box');
    expect(s.iou).toBe(1);
    expect(s.sad).toBe(0);
    for (const k of ['mse', 'mad', 'grad', 'conn', 'mae']) expect(s[k]).toBe(0);
  });

  it.skipIf(!haveModels || names.length === 0)('runs the model with box prompts from the ground truth', async () => {
    const json = join(tmp, 'eval-model.json');
    // Two photos where the box matte is known to be good, so a broken eval path shows as a drop.
    const subset = join(tmp, 'ecssd-subset');
    for (const dir of ['images', 'masks']) mkdirSync(join(subset, dir), { recursive: true });
    for (const name of ['0036', '0042']) {
      copyFileSync(join(ecssd, 'images', `${name}.jpg`), join(subset, 'images', `${name}.jpg`));
      copyFileSync(join(ecssd, 'masks', `${name}.png`), join(subset, 'masks', `${name}.png`));
    }
    const r = await smat(['eval', '--images', join(subset, 'images'), '--gt', join(subset, 'masks'), '--prompt', 'box', '--json', json, '--threads', '2']);
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    expect(s.n).toBe(2);
    expect(s.iou).toBeGreaterThan(0.85);
  }, 180_000);

  it('rejects a bad --prompt', async () => {
    expectOneLineError(await smat(['eval', '--images', tmp, '--gt', tmp, '--prompt', 'lasso']), /--prompt must be/);
  });
});
