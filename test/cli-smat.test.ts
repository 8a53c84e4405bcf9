// The smat command as a user runs it: a child process through bin/smat.mjs.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
  mkdirSync,
  copyFileSync,
  readdirSync,
  symlinkSync,
  linkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode as fastPngEncode } from 'fast-png';
import { decodeImage, encodePng } from '../core/image-codecs';
import { haveShippedModel } from './shipped-model';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'smat.mjs');
const dataDir = resolve(repo, process.env.SMAT_DATA ?? '../shared/data');
const coffee = [join(repo, 'examples', 'coffee.png'), join(dataDir, 'examples', 'coffee.png')].find((p) =>
  existsSync(p),
);
const haveModels = haveShippedModel();
const ecssd = join(dataDir, 'ecssd-val');
if (!haveModels) console.warn(`[cli-smat] model runs SKIPPED: model files missing in ${join(repo, 'models')}`);
if (!coffee) console.warn('[cli-smat] SKIPPED parts: examples/coffee.png not found (set SMAT_DATA)');

const tmp = mkdtempSync(join(tmpdir(), 'smat-cli-'));

function smat(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return smatAt(tmp, args);
}

function smatAt(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd, timeout: 170_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
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
  it.skipIf(!haveModels || !coffee)(
    'writes a full-resolution straight-alpha cut-out of coffee.png',
    async () => {
      const out = join(tmp, 'coffee-cutout.png');
      const r = await smat(['matte', coffee!, '-o', out, '--threads', '2']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const src = decodeImage(readFileSync(coffee!));
      const img = decodeImage(readFileSync(out));
      expect([img.width, img.height]).toEqual([600, 400]);
      let min = 255,
        max = 0,
        rgbKept = true;
      for (let i = 0; i < 600 * 400; i++) {
        const a = img.data[4 * i + 3];
        min = Math.min(min, a);
        max = Math.max(max, a);
        // Opaque pixels keep the photo's colour (soft ones are decontaminated, see cli-decontaminate.test.ts).
        if (a === 255 && (img.data[4 * i] !== src.data[4 * i] || img.data[4 * i + 1] !== src.data[4 * i + 1]))
          rgbKept = false;
      }
      // Some of the photo is kept and some cut away.
      expect(max - min).toBeGreaterThan(127);
      expect(rgbKept).toBe(true);
    },
    180_000,
  );

  it.skipIf(!haveModels || !coffee)(
    '--mask-only with a box writes an opaque grey mask',
    async () => {
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
    },
    180_000,
  );

  it('fails with one clear line for a missing input', async () => {
    expectOneLineError(
      await smat(['matte', join(tmp, 'nope.png'), '-o', join(tmp, 'x.png')]),
      /input image not found: .*nope\.png/,
    );
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
    expectOneLineError(
      await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--box', '10,20,30']),
      /malformed --box "10,20,30"/,
    );
    expectOneLineError(await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--box', 'a,b,c,d']), /malformed --box/);
    expectOneLineError(await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--point', '5']), /malformed --point/);
  });

  it.skipIf(!coffee)('refuses "not this" clicks alone, writing nothing', async () => {
    const out = join(tmp, 'only-negative.png');
    expectOneLineError(
      await smat(['matte', coffee!, '-o', out, '--exclude-point', '100,100']),
      /"not this" clicks: add a box, a click or a stroke/,
    );
    expect(existsSync(out)).toBe(false);
    expectOneLineError(await smat(['matte', coffee!, '-o', out, '--exclude-point', '1']), /malformed --exclude-point/);
  });

  it.skipIf(!coffee)('fails when every prompt lies outside the image', async () => {
    expectOneLineError(
      await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--box', '700,0,50,50', '--point', '-3,-3']),
      /every prompt lies outside the image/,
    );
  });

  it.skipIf(!coffee)('fails when the model files are missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'smat-nomodels-'));
    expectOneLineError(
      await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--models', empty]),
      /model files missing in .*model\.json/,
    );
    // model.json names the graphs: with it present, the message lists the ones it names.
    copyFileSync(join(repo, 'models', 'model.json'), join(empty, 'model.json'));
    expectOneLineError(
      await smat(['matte', coffee!, '-o', join(tmp, 'x.png'), '--models', empty]),
      /model files missing in .*smat-encoder\.onnx\.pack, smat-decoder\.onnx\.pack, smat-refiner\.onnx\.pack, smat-saliency\.onnx\.pack, smat-prompted\.onnx/,
    );
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
    const r = await smat([
      'eval',
      '--images',
      join(ecssd, 'images'),
      '--gt',
      join(ecssd, 'masks'),
      '--prompt',
      'box',
      '--pred',
      pred,
      '--limit',
      '3',
      '--json',
      json,
      '-q',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/iou\s+1\.0000/);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    expect(s.n).toBe(3);
    expect(s.prompt).toBe('box');
    expect(s.iou).toBe(1);
    expect(s.sad).toBe(0);
    for (const k of ['mse', 'mad', 'grad', 'conn']) expect(s[k]).toBe(0);
    expect(s).not.toHaveProperty('mae'); // one name for mean |p - g|: mad
  });

  it.skipIf(!haveModels || names.length === 0)(
    'runs the model with box prompts from the ground truth',
    async () => {
      const json = join(tmp, 'eval-model.json');
      // Two photos where the box matte is known to be good, so a broken eval path shows as a drop.
      const subset = join(tmp, 'ecssd-subset');
      for (const dir of ['images', 'masks']) mkdirSync(join(subset, dir), { recursive: true });
      for (const name of ['0036', '0042']) {
        copyFileSync(join(ecssd, 'images', `${name}.jpg`), join(subset, 'images', `${name}.jpg`));
        copyFileSync(join(ecssd, 'masks', `${name}.png`), join(subset, 'masks', `${name}.png`));
      }
      const r = await smat([
        'eval',
        '--images',
        join(subset, 'images'),
        '--gt',
        join(subset, 'masks'),
        '--prompt',
        'box',
        '--json',
        json,
        '--threads',
        '2',
      ]);
      expect(r.code).toBe(0);
      const s = JSON.parse(readFileSync(json, 'utf8'));
      expect(s.n).toBe(2);
      expect(s.iou).toBeGreaterThan(0.85);
    },
    180_000,
  );

  it('rejects a bad --prompt', async () => {
    expectOneLineError(await smat(['eval', '--images', tmp, '--gt', tmp, '--prompt', 'lasso']), /--prompt must be/);
  });
});

// Issue 9, command line: nothing the command reads is ever overwritten, bad arguments fail before
// any model work (an empty --models folder proves it: reaching the model would fail differently).
describe('smat matte refuses unsafe or impossible output before any work', { timeout: 60_000 }, () => {
  const noModels = mkdtempSync(join(tmpdir(), 'smat-nomodels-'));
  const work = join(tmp, 'safety');
  mkdirSync(join(work, 'sub'), { recursive: true });
  const photo = join(work, 'photo.png');
  const scribble = join(work, 'strokes.png');
  if (coffee) {
    copyFileSync(coffee, photo);
    const img = decodeImage(readFileSync(coffee));
    const strokes = new Uint8Array(img.width * img.height * 4);
    for (let x = 200; x < 400; x++) strokes.set([255, 255, 255, 255], 4 * (200 * img.width + x));
    writeFileSync(scribble, encodePng({ width: img.width, height: img.height, data: strokes }));
    symlinkSync(photo, join(work, 'link.png'));
    linkSync(photo, join(work, 'hard.png'));
  }
  const smatIn = (args: string[]) => smatAt(work, args);

  it.skipIf(!coffee)(
    '-o naming the input photo or the scribble file, under any spelling, is refused and the file kept',
    async () => {
      const before = readFileSync(photo);
      for (const spelling of [
        photo,
        'photo.png',
        './sub/../photo.png',
        'link.png',
        'hard.png',
        join(work, 'sub', '..', 'photo.png'),
      ]) {
        expectOneLineError(
          await smatIn(['matte', 'photo.png', '-o', spelling, '--models', noModels]),
          /is the same file as the input image photo\.png: refusing to overwrite it/,
        );
      }
      expectOneLineError(
        await smatIn(['matte', 'link.png', '-o', 'hard.png', '--models', noModels]),
        /same file as the input image link\.png/,
      );
      const strokesBefore = readFileSync(scribble);
      expectOneLineError(
        await smatIn(['matte', 'photo.png', '--scribble', 'strokes.png', '-o', './strokes.png', '--models', noModels]),
        /same file as the scribble mask strokes\.png/,
      );
      expect(readFileSync(photo).equals(before)).toBe(true);
      expect(readFileSync(scribble).equals(strokesBefore)).toBe(true);
    },
  );

  it.skipIf(!coffee)('a flag is never taken as the value of another flag', async () => {
    expectOneLineError(
      await smatIn(['matte', 'photo.png', '-o', '--mask-only']),
      /-o needs a value, got the option --mask-only/,
    );
    expectOneLineError(
      await smatIn(['matte', 'photo.png', '-o', 'x.png', '--box', '--point', '3,4']),
      /--box needs a value, got the option --point/,
    );
    expectOneLineError(
      await smatIn(['matte', 'photo.png', '--output', '-q']),
      /--output needs a value, got the option -q/,
    );
    expect(existsSync(join(work, '--mask-only'))).toBe(false);
  });

  it.skipIf(!coffee)('checks the output name and folder before loading the model', async () => {
    expectOneLineError(
      await smatIn(['matte', 'photo.png', '-o', 'cutout.jpg', '--models', noModels]),
      /-o cutout\.jpg: the output is a PNG image, so its name must end in \.png/,
    );
    expectOneLineError(await smatIn(['matte', 'photo.png', '-o', 'cutout', '--models', noModels]), /must end in \.png/);
    mkdirSync(join(work, 'folder.png'), { recursive: true });
    expectOneLineError(
      await smatIn(['matte', 'photo.png', '-o', 'folder.png', '--models', noModels]),
      /-o folder\.png is a directory/,
    );
    expectOneLineError(
      await smatIn(['matte', 'photo.png', '-o', 'photo.png/out.png', '--models', noModels]),
      /cannot write photo\.png\/out\.png: .*photo\.png is a file, not a folder/,
    );
    // A good output name gets as far as the models.
    expectOneLineError(
      await smatIn(['matte', 'photo.png', '-o', 'new/cutout.PNG', '--models', noModels]),
      /model files missing/,
    );
  });

  it('refuses a PNG whose header claims more pixels than the limit, with a clear line', async () => {
    // 1-bit grey 8200x8200: a few KB on disk, 270 MB once decoded to RGBA.
    const w = 8200,
      h = 8200;
    const raw = new Uint8Array((1 + Math.ceil(w / 8)) * h);
    const huge = join(work, 'huge.png');
    writeFileSync(
      huge,
      fastPngEncode({ width: w, height: h, depth: 1, channels: 1, data: raw.subarray(0, Math.ceil(w / 8) * h) }),
    );
    expectOneLineError(
      await smatIn(['matte', 'huge.png', '-o', 'huge-out.png', '--models', noModels]),
      /input image huge\.png: image is 8200x8200 \(67\.2 megapixels\), over the 64-megapixel limit/,
    );
  });

  it.skipIf(!haveModels)(
    'says a 1x1 or 3x5000 image cannot be matted instead of writing a transparent file',
    async () => {
      for (const [w, h, why] of [
        [1, 1, /image is 1x1: too small to matte/],
        [3, 5000, /image is 3x5000: too small to matte/],
        [40, 5000, /image is 40x5000: too thin to matte/],
      ] as const) {
        const file = join(work, `strip-${w}x${h}.png`);
        const data = new Uint8Array(w * h * 4).fill(200);
        writeFileSync(file, encodePng({ width: w, height: h, data }));
        const out = join(work, `strip-${w}x${h}-out.png`);
        expectOneLineError(await smatIn(['matte', file, '-o', out, '--threads', '2']), why);
        expect(existsSync(out)).toBe(false);
      }
    },
    120_000,
  );

  it.skipIf(!coffee)('refuses a scribble file that is painted everywhere', async () => {
    const img = decodeImage(readFileSync(coffee!));
    const white = join(work, 'white.png');
    writeFileSync(
      white,
      encodePng({ width: img.width, height: img.height, data: new Uint8Array(img.width * img.height * 4).fill(255) }),
    );
    expectOneLineError(
      await smatIn(['matte', 'photo.png', '--scribble', 'white.png', '-o', 'w.png', '--models', noModels]),
      /scribble mask white\.png is painted everywhere/,
    );
  });

  it.skipIf(!haveModels || !coffee)(
    'an opaque RGBA scribble (white strokes on black) gives the same matte as the grey one',
    async () => {
      const img = decodeImage(readFileSync(coffee!));
      const n = img.width * img.height;
      // The cup: a stroke across its body, the same pixels in both files.
      const grey = new Uint8Array(n);
      for (let y = 150; y < 160; y++) for (let x = 250; x < 330; x++) grey[y * img.width + x] = 255;
      const rgba = new Uint8Array(n * 4);
      for (let i = 0; i < n; i++) rgba.set([grey[i], grey[i], grey[i], 255], 4 * i);
      writeFileSync(
        join(work, 'scribble-grey.png'),
        fastPngEncode({ width: img.width, height: img.height, depth: 8, channels: 1, data: grey }),
      );
      writeFileSync(join(work, 'scribble-rgba.png'), encodePng({ width: img.width, height: img.height, data: rgba }));
      const outs: Uint8Array[] = [];
      for (const kind of ['grey', 'rgba']) {
        const r = await smatIn([
          'matte',
          'photo.png',
          '--scribble',
          `scribble-${kind}.png`,
          '-o',
          `scribbled-${kind}.png`,
          '--mask-only',
          '--threads',
          '2',
        ]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        outs.push(decodeImage(readFileSync(join(work, `scribbled-${kind}.png`))).data);
      }
      expect(Buffer.from(outs[1]).equals(Buffer.from(outs[0]))).toBe(true);
      // And it is a selection, not everything: part of the photo is cut away.
      let low = 0;
      for (let i = 0; i < n; i++) if (outs[1][4 * i] < 64) low++;
      expect(low / n).toBeGreaterThan(0.2);
    },
    180_000,
  );
});

describe('smat eval checks its inputs before scoring', { timeout: 60_000 }, () => {
  const noModels = mkdtempSync(join(tmpdir(), 'smat-nomodels-'));
  const names = existsSync(ecssd)
    ? readdirSync(join(ecssd, 'masks'))
        .sort()
        .slice(0, 3)
        .map((f) => f.replace(/\.png$/, ''))
    : [];
  /** images/ + masks/ copies of the first three ECSSD pairs, to damage one way or another. */
  function dataset(label: string): { images: string; gt: string } {
    const root = join(tmp, `eval-${label}`);
    for (const dir of ['images', 'gt']) mkdirSync(join(root, dir), { recursive: true });
    for (const n of names) {
      copyFileSync(join(ecssd, 'images', `${n}.jpg`), join(root, 'images', `${n}.jpg`));
      copyFileSync(join(ecssd, 'masks', `${n}.png`), join(root, 'gt', `${n}.png`));
    }
    return { images: join(root, 'images'), gt: join(root, 'gt') };
  }
  /** Box-prompted eval of `d` with --save-pred `dir`; with no models only the input checks can pass. */
  function evalSavingPredsTo(d: ReturnType<typeof dataset>, dir: string) {
    return smat([
      'eval',
      '--images',
      d.images,
      '--gt',
      d.gt,
      '--prompt',
      'box',
      '--save-pred',
      dir,
      '--models',
      noModels,
    ]);
  }

  it.skipIf(names.length < 3)(
    '--save-pred into the ground-truth or image folder is refused and nothing is written',
    async () => {
      const d = dataset('save');
      const gtBefore = names.map((n) => readFileSync(join(d.gt, `${n}.png`)));
      expectOneLineError(await evalSavingPredsTo(d, join(d.gt, '.')), /--save-pred .* overlaps --gt/);
      expectOneLineError(await evalSavingPredsTo(d, join(d.images, 'preds')), /--save-pred .* overlaps --images/);
      symlinkSync(d.gt, join(tmp, 'eval-save-gt-link'));
      expectOneLineError(await evalSavingPredsTo(d, join(tmp, 'eval-save-gt-link')), /overlaps --gt/);
      for (const [k, n] of names.entries()) expect(readFileSync(join(d.gt, `${n}.png`)).equals(gtBefore[k])).toBe(true);
      expect(existsSync(join(d.images, 'preds'))).toBe(false);
    },
  );

  it.skipIf(names.length < 3)('missing files are all named up front, before any scoring', async () => {
    const d = dataset('missing');
    for (const n of names.slice(1)) rmSync(join(d.gt, `${n}.png`));
    const r = await smat(['eval', '--images', d.images, '--gt', d.gt, '--prompt', 'auto', '--pred', d.gt]);
    expectOneLineError(
      r,
      new RegExp(`ground truth missing for 2 of 3 images in .*: ${names[1]}\\.png, ${names[2]}\\.png`),
    );
    expect(r.stdout).toBe('');
  });

  it.skipIf(names.length < 3)('ground truth of another aspect ratio is refused, not stretched and scored', async () => {
    const d = dataset('aspect');
    // The real mask cut to a square: same content, other shape.
    const m = decodeImage(readFileSync(join(ecssd, 'masks', `${names[1]}.png`)));
    const side = Math.min(m.width, m.height);
    const sq = new Uint8Array(side * side * 4);
    for (let y = 0; y < side; y++) sq.set(m.data.subarray(4 * y * m.width, 4 * (y * m.width + side)), 4 * y * side);
    writeFileSync(join(d.gt, `${names[1]}.png`), encodePng({ width: side, height: side, data: sq }));
    const pred = join(tmp, 'eval-aspect-pred');
    mkdirSync(pred, { recursive: true });
    for (const n of names) copyFileSync(join(ecssd, 'masks', `${n}.png`), join(pred, `${n}.png`));
    const r = await smat(['eval', '--images', d.images, '--gt', d.gt, '--prompt', 'auto', '--pred', pred]);
    expectOneLineError(r, new RegExp(`${names[1]}: prediction ${m.width}x${m.height} vs ground truth ${side}x${side}`));
    expect(r.stdout).toBe('');
    expectOneLineError(
      await smat(['eval', '--images', d.images, '--gt', d.gt, '--prompt', 'box', '--models', noModels]),
      new RegExp(`${names[1]}: image ${m.width}x${m.height} vs ground truth ${side}x${side}`),
    );
  });

  it.skipIf(names.length < 3)(
    '--prompt box with an empty ground truth is refused instead of silently running automatic',
    async () => {
      const d = dataset('empty');
      const m = decodeImage(readFileSync(join(d.gt, `${names[2]}.png`)));
      writeFileSync(
        join(d.gt, `${names[2]}.png`),
        encodePng({
          width: m.width,
          height: m.height,
          data: new Uint8Array(m.width * m.height * 4).fill(0).map((_, i) => (i % 4 === 3 ? 255 : 0)),
        }),
      );
      expectOneLineError(
        await smat(['eval', '--images', d.images, '--gt', d.gt, '--prompt', 'box', '--models', noModels]),
        new RegExp(`--prompt box needs a foreground in each ground truth, but 1 are empty .*: ${names[2]}\\.png`),
      );
      // Automatic needs no prompt: the same data gets as far as the model.
      expectOneLineError(
        await smat(['eval', '--images', d.images, '--gt', d.gt, '--prompt', 'auto', '--models', noModels]),
        /model files missing/,
      );
    },
  );
});
