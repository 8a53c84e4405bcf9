// The smat command under faults: each case runs bin/smat.mjs as a child process on a real photo
// (and the real model where the fault is in or after the model run), injects one fault, and checks
// that the command says what went wrong in one line and that no file the user had changed
// (SHA-256 of every file before and after). Faults that need root or luck are injected through
// cli/fault-injection.ts (SMAT_TEST_FAULT): a full disk, and a write that stalls so that a signal
// lands in the middle of it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../core/image-codecs';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'smat.mjs');
const dataDir = resolve(repo, process.env.SMAT_DATA ?? '../shared/data');
const ecssd = join(dataDir, 'ecssd-val');
const coffee = join(repo, 'examples', 'coffee.png');
const models = join(repo, 'models');
const haveModels = existsSync(join(models, 'model.json'));
const haveData = existsSync(join(ecssd, 'masks'));
if (!haveModels) console.warn(`[cli-faults] model runs SKIPPED: no model files in ${models}`);
if (!haveData) console.warn(`[cli-faults] eval cases SKIPPED: no data at ${ecssd} (set SMAT_DATA)`);

const tmp = mkdtempSync(join(tmpdir(), 'smat-faults-'));
/** A folder with no model in it: a command that gets as far as the model fails there, so reaching it shows up. */
const noModels = mkdtempSync(join(tmpdir(), 'smat-faults-nomodels-'));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Called with the child once it runs; may kill it. */
  during?: (child: ReturnType<typeof spawn>, output: { stdout: string }) => void;
  timeoutMs?: number;
}

function smat(args: string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? tmp,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (d) => {
      output.stdout += d;
    });
    child.stderr.on('data', (d) => {
      output.stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, ...output });
    });
    options.during?.(child, output);
  });
}

function expectOneLineError(r: Run, pattern: RegExp): void {
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^smat: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.code).toBe(1);
}

/** SHA-256 of every regular file under `dir`, by path: what "no user file changed" is checked against. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile()) out.set(path, createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return out;
}

function expectSame(before: Map<string, string>, after: Map<string, string>): void {
  expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
}

/** A fresh folder holding a copy of coffee.png as photo.png and an earlier result out.png. */
function workspace(label: string): { dir: string; photo: string; out: string } {
  const dir = join(tmp, label);
  mkdirSync(dir, { recursive: true });
  copyFileSync(coffee, join(dir, 'photo.png'));
  // The earlier result: any PNG the user wants to keep until a new one is complete.
  copyFileSync(join(repo, 'examples', 'astronaut.png'), join(dir, 'out.png'));
  return { dir, photo: join(dir, 'photo.png'), out: join(dir, 'out.png') };
}

const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/** Resolves once a temporary output file in `dir` has at least `bytes` bytes. */
async function tempFileReaches(dir: string, bytes: number): Promise<void> {
  for (let waited = 0; waited < 100_000; waited += 50) {
    const temp = tempFiles(dir)[0];
    if (temp && statSync(join(dir, temp)).size >= bytes) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no temporary file of ${bytes} bytes appeared in ${dir}`);
}

describe('every output is checked before any work, against everything read', { timeout: 60_000 }, () => {
  it.skipIf(!haveData)('eval --json onto a ground-truth mask, a photo or model.json is refused', async () => {
    const root = join(tmp, 'json-target');
    for (const d of ['images', 'gt', 'models']) mkdirSync(join(root, d), { recursive: true });
    const names = readdirSync(join(ecssd, 'masks')).sort().slice(0, 2);
    for (const n of names) {
      const base = n.replace(/\.png$/, '');
      copyFileSync(join(ecssd, 'images', `${base}.jpg`), join(root, 'images', `${base}.jpg`));
      copyFileSync(join(ecssd, 'masks', n), join(root, 'gt', n));
    }
    copyFileSync(join(models, 'model.json'), join(root, 'models', 'model.json'));
    symlinkSync(join(root, 'gt', names[0]), join(root, 'link-to-gt.json'));
    const before = snapshot(root);
    const evalTo = (json: string, extra: string[] = []) =>
      smat(['eval', '--images', 'images', '--gt', 'gt', '--prompt', 'box', '--json', json, ...extra], { cwd: root });
    expectOneLineError(
      await evalTo(`gt/${names[0]}`, ['--pred', 'gt']),
      /--json gt\/.* lies inside the ground-truth folder gt/,
    );
    const photo = names[1].replace(/\.png$/, '.jpg');
    expectOneLineError(
      await evalTo(`./images/../images/${photo}`, ['--models', 'models']),
      /lies inside the images folder/,
    );
    expectOneLineError(
      await evalTo('models/model.json', ['--models', 'models']),
      /lies inside the model folder .*models, which this command reads/,
    );
    expectOneLineError(
      await evalTo('link-to-gt.json', ['--pred', 'gt']),
      /--json link-to-gt\.json \(a symbolic link to .*gt\/.*\) lies inside the ground-truth folder/,
    );
    expectSame(before, snapshot(root));
  });

  it.skipIf(!haveModels)('-o naming a folder, a too-long name, a dangling link or a pipe fails first', async () => {
    const { dir } = workspace('bad-o');
    symlinkSync(join(dir, 'gone', 'x.png'), join(dir, 'dangling.png'));
    execFileSync('mkfifo', [join(dir, 'pipe.png')]);
    cpSync(models, join(dir, 'models'), { recursive: true });
    symlinkSync(join(dir, 'models', 'smat-prompted.onnx'), join(dir, 'prompted.png'));
    const before = snapshot(dir);
    const matteTo = (out: string, models = noModels) =>
      smat(['matte', 'photo.png', '-o', out, '--models', models], { cwd: dir });
    expectOneLineError(await matteTo('dir.png/'), /-o dir\.png\/ ends in "\/", so it names a folder/);
    expectOneLineError(
      await matteTo(`${'n'.repeat(300)}.png`),
      /the name "n+…n+\.png" is 304 bytes long, over the 255/,
    );
    expectOneLineError(
      await matteTo('dangling.png'),
      /-o dangling\.png is a symbolic link to .*gone\/x\.png, whose folder .*gone does not exist/,
    );
    expectOneLineError(await matteTo('pipe.png'), /-o pipe\.png is not a regular file: refusing to replace it/);
    expectOneLineError(
      await matteTo('prompted.png', join(dir, 'models')),
      /-o prompted\.png \(a symbolic link to .*smat-prompted\.onnx\) lies inside the model folder/,
    );
    expectSame(before, snapshot(dir));
  });
});

describe('an output is written whole or not at all', { timeout: 120_000 }, () => {
  it.skipIf(!haveModels)(
    'replaces an earlier result through a link, keeping its permissions, with --threads capped at the cores',
    async () => {
      const { dir, out } = workspace('replace');
      chmodSync(out, 0o640);
      symlinkSync(out, join(dir, 'latest.png'));
      const r = await smat(['matte', 'photo.png', '-o', 'latest.png', '--threads', '9999'], { cwd: dir });
      expect(r.stderr).toMatch(
        /^smat: note: --threads 9999 is more than the \d+ core\(s\) this machine gives smat; using \d+\n$/,
      );
      expect(r.code).toBe(0);
      expect(lstatSync(join(dir, 'latest.png')).isSymbolicLink()).toBe(true);
      expect(statSync(out).mode & 0o777).toBe(0o640);
      const img = decodeImage(readFileSync(out));
      expect([img.width, img.height]).toEqual([600, 400]);
      expect(tempFiles(dir)).toEqual([]);
    },
  );

  it.skipIf(!haveModels)('a full disk keeps the earlier result and leaves no partial file', async () => {
    const { dir } = workspace('enospc');
    const before = snapshot(dir);
    const env = { SMAT_TEST_FAULT: 'enospc-after:4096' };
    expectOneLineError(
      await smat(['matte', 'photo.png', '-o', 'out.png', '--threads', '2'], { cwd: dir, env }),
      /cannot write .*out\.png: the disk is full \(the existing file is unchanged\)/,
    );
    expectOneLineError(
      await smat(['matte', 'photo.png', '-o', 'new.png', '--threads', '2', '--mask-only'], { cwd: dir, env }),
      /cannot write .*new\.png: the disk is full \(nothing was written\)/,
    );
    expectSame(before, snapshot(dir));
    expect(tempFiles(dir)).toEqual([]);
  });

  it.skipIf(!haveModels)('Ctrl-C in the middle of the write keeps the earlier result whole', async () => {
    const { dir } = workspace('sigint');
    const before = snapshot(dir);
    const r = await smat(['matte', 'photo.png', '-o', 'out.png', '--threads', '2'], {
      cwd: dir,
      env: { SMAT_TEST_FAULT: 'stall-after:65536' },
      during: (child) => {
        void tempFileReaches(dir, 65536).then(() => child.kill('SIGINT'));
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(
      /^smat: interrupted \(SIGINT\): out\.png was not written \(the existing file is unchanged\)\n$/,
    );
    expectSame(before, snapshot(dir));
    expect(tempFiles(dir)).toEqual([]);
  });

  it.skipIf(!haveModels)('SIGKILL in the middle of the write leaves the earlier result whole', async () => {
    const { dir, out } = workspace('sigkill');
    const before = readFileSync(out);
    const r = await smat(['matte', 'photo.png', '-o', 'out.png', '--threads', '2'], {
      cwd: dir,
      env: { SMAT_TEST_FAULT: 'stall-after:65536' },
      during: (child) => {
        void tempFileReaches(dir, 65536).then(() => child.kill('SIGKILL'));
      },
    });
    expect(r.signal).toBe('SIGKILL');
    // Nothing runs after SIGKILL: the partial bytes stay in the hidden temporary file, never in out.png.
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => !f.startsWith('.smat-'))).toEqual(['out.png', 'photo.png']);
    const leftover = tempFiles(dir);
    expect(leftover).toHaveLength(1);
    // The next write into the folder removes a leftover whose process is gone, once it is an hour old.
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(dir, leftover[0]), hoursAgo, hoursAgo);
    const again = await smat(['matte', 'photo.png', '-o', 'out.png', '--threads', '2', '-q'], { cwd: dir });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(decodeImage(readFileSync(out)).width).toBe(600);
    expect(tempFiles(dir)).toEqual([]);
  });
});

describe('every input is bounded', { timeout: 60_000 }, () => {
  it('refuses /dev/zero and a named pipe at once, as photo or scribble', async () => {
    const dir = join(tmp, 'special');
    mkdirSync(dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, 'pipe.png')]);
    const t0 = performance.now();
    expectOneLineError(
      await smat(['matte', '/dev/zero', '-o', 'a.png', '--models', noModels], { cwd: dir, timeoutMs: 20_000 }),
      /input image \/dev\/zero is not a regular file \(a character device\)/,
    );
    expectOneLineError(
      await smat(['matte', 'pipe.png', '-o', 'b.png', '--models', noModels], { cwd: dir, timeoutMs: 20_000 }),
      /input image pipe\.png is not a regular file \(a named pipe\)/,
    );
    expectOneLineError(
      await smat(['matte', coffee, '--scribble', '/dev/zero', '-o', 'c.png', '--models', noModels], { cwd: dir }),
      /scribble mask \/dev\/zero is not a regular file/,
    );
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(readdirSync(dir)).toEqual(['pipe.png']);
  });

  it('judges a huge file by its first bytes and its size, without reading it', async () => {
    const dir = join(tmp, 'huge');
    mkdirSync(dir, { recursive: true });
    // Sparse: 1.9 GB on paper, nothing on disk. One is no image at all; one starts like a PNG.
    const video = join(dir, 'video.png');
    writeFileSync(video, 'ftypisom');
    truncateSync(video, 1.9e9);
    const fakePng = join(dir, 'fake.png');
    writeFileSync(fakePng, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    truncateSync(fakePng, 1.9e9);
    const t0 = performance.now();
    expectOneLineError(
      await smat(['matte', 'video.png', '-o', 'a.png', '--models', noModels], { cwd: dir }),
      /input image video\.png: unreadable image: the bytes are neither PNG nor JPEG/,
    );
    expectOneLineError(
      await smat(['matte', 'fake.png', '-o', 'a.png', '--models', noModels], { cwd: dir }),
      /input image fake\.png is 1812 MiB, over the 600 MiB this command reads/,
    );
    // Reading either whole takes seconds and ~2 GB of memory.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('refuses numeric options out of their range', async () => {
    for (const bad of ['0', '-2', 'many', '1.5']) {
      expectOneLineError(
        await smat(['matte', coffee, '-o', 'x.png', '--threads', bad, '--models', noModels]),
        /--threads must be an integer >= 1/,
      );
    }
    // A hundred million clicks would spend minutes drawing points before the first score.
    expectOneLineError(
      await smat(['eval', '--images', tmp, '--gt', tmp, '--prompt', 'points:100000000', '--models', noModels]),
      /--prompt must be .*points:N .*\(N and M from 1 to 100\)/,
    );
  });
});

describe('nothing fails silently', { timeout: 120_000 }, () => {
  /** A copy of models/ to damage. */
  function modelCopy(label: string): string {
    const dir = join(tmp, label);
    cpSync(models, dir, { recursive: true });
    return dir;
  }

  it.skipIf(!haveModels)('a damaged graph is refused by the CLI and by the plugin build', async () => {
    const dir = modelCopy('damaged-models');
    const head = join(dir, 'smat-prompted.onnx');
    const bytes = readFileSync(head);
    // 200 KB of weights replaced, the size unchanged: still a valid graph, only the hash can tell.
    for (let i = bytes.length - 300_000; i < bytes.length - 100_000; i++) bytes[i] = (i * 7919) & 255;
    writeFileSync(head, bytes);
    expectOneLineError(
      await smat(['matte', coffee, '-o', 'damaged.png', '--models', dir]),
      /the model files in .* do not match model\.json: smat-prompted\.onnx's SHA-256 is [0-9a-f]+…, model\.json records [0-9a-f]+…/,
    );
    truncateSync(join(dir, 'smat-encoder.onnx.pack'), 1000);
    const before = snapshot(dir);
    expectOneLineError(
      await smat(['matte', coffee, '-o', 'damaged.png', '--models', dir]),
      /smat-encoder\.onnx\.pack is 1000 bytes, model\.json records \d+; smat-prompted\.onnx's SHA-256/,
    );
    expect(existsSync(join(tmp, 'damaged.png'))).toBe(false);
    const out = join(tmp, 'damaged-build');
    let build: { status: number | null; stderr: string };
    try {
      execFileSync(process.execPath, [join(repo, 'build.mjs'), '--models', dir, '--out', out, '--quiet'], {
        stdio: 'pipe',
      });
      build = { status: 0, stderr: '' };
    } catch (err) {
      const e = err as { status: number | null; stderr: Buffer };
      build = { status: e.status, stderr: e.stderr.toString() };
    }
    expect(build.status).toBe(1);
    expect(build.stderr).toMatch(/smat-encoder\.onnx\.pack is 1000 bytes, model\.json records/);
    expect(build.stderr).toMatch(/smat-prompted\.onnx's SHA-256 is/);
    expect(existsSync(join(out, 'code.js'))).toBe(false);
    expectSame(before, snapshot(dir));
  });

  it.skipIf(!haveModels)('model.json that does not fit the graphs, or is out of range, names the field', async () => {
    const dir = modelCopy('mismatched-models');
    const config = JSON.parse(readFileSync(join(models, 'model.json'), 'utf8'));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...config, inputSize: 512, featureSize: 32 }));
    expectOneLineError(
      await smat(['matte', coffee, '-o', 'mismatch.png', '--models', dir]),
      /model\.json does not match the graph smat-encoder\.onnx\.pack: its tensor "image" is 1x3x768x768, so inputSize must be 768, but model\.json says 512/,
    );
    for (const [key, value] of [
      ['pointRadiusFraction', 3],
      ['std', [58, 0, 57]],
    ] as const) {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...config, [key]: value }));
      expectOneLineError(
        await smat(['matte', coffee, '-o', 'mismatch.png', '--models', dir]),
        new RegExp(`model\\.json: ${key} must be`),
      );
    }
    expect(existsSync(join(tmp, 'mismatch.png'))).toBe(false);
  });

  it.skipIf(!haveModels)('a one-colour photo gives an error, not a blank cut-out, unless --allow-empty', async () => {
    const dir = join(tmp, 'flat');
    mkdirSync(dir, { recursive: true });
    const w = 300;
    const h = 200;
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([90, 140, 200, 255], 4 * i);
    writeFileSync(join(dir, 'flat.png'), encodePng({ width: w, height: h, data }));
    expectOneLineError(
      await smat(['matte', 'flat.png', '-o', 'out.png', '--threads', '2'], { cwd: dir }),
      /nothing was cut out, so out\.png was not written: the image is one flat colour \(rgb\(90, 140, 200\)\)/,
    );
    expect(existsSync(join(dir, 'out.png'))).toBe(false);
    const r = await smat(['matte', 'flat.png', '-o', 'out.png', '--threads', '2', '--allow-empty'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(empty: nothing cut out\)/);
    expect(decodeImage(readFileSync(join(dir, 'out.png'))).data.every((v, i) => i % 4 !== 3 || v === 0)).toBe(true);
  });

  it.skipIf(!haveModels)('a box thinner than one model pixel is refused before the model runs', async () => {
    const dir = join(tmp, 'subpixel');
    mkdirSync(dir, { recursive: true });
    // 600x400 at 768: one model pixel is 0.78 image pixels; this box covers no model pixel's centre.
    expectOneLineError(
      await smat(['matte', coffee, '-o', 'out.png', '--box', '100.5,100.5,0.2,0.2'], { cwd: dir }),
      /the prompts mark no pixel of the model's 768x768 view of this 600x400 image: one model pixel is 0\.781 image pixels/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('smat eval keeps what it finished', { timeout: 60_000 }, () => {
  /** images/, gt/ and pred/ (the ground truth itself, as predictions) for the first `count` ECSSD pairs. */
  function evalSet(label: string, count: number): { root: string; bases: string[] } {
    const root = join(tmp, label);
    for (const d of ['images', 'gt', 'pred']) mkdirSync(join(root, d), { recursive: true });
    const bases = readdirSync(join(ecssd, 'masks'))
      .sort()
      .slice(0, count)
      .map((f) => f.replace(/\.png$/, ''));
    for (const b of bases) {
      copyFileSync(join(ecssd, 'images', `${b}.jpg`), join(root, 'images', `${b}.jpg`));
      copyFileSync(join(ecssd, 'masks', `${b}.png`), join(root, 'gt', `${b}.png`));
      copyFileSync(join(ecssd, 'masks', `${b}.png`), join(root, 'pred', `${b}.png`));
    }
    return { root, bases };
  }
  const scoreArgs = ['eval', '--images', 'images', '--gt', 'gt', '--pred', 'pred', '--prompt', 'auto'];

  it.skipIf(!haveData)('a file that fails to decode is skipped, named and counted; the rest are kept', async () => {
    const { root, bases } = evalSet('eval-truncated', 5);
    const third = join(root, 'pred', `${bases[2]}.png`);
    // Cut off mid-stream, as by a crashed copy: the header still reads, the pixels do not.
    truncateSync(third, Math.floor(statSync(third).size / 2));
    const before = snapshot(root);
    const r = await smat([...scoreArgs, '--json', 'scores.json', '-q'], { cwd: root });
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^smat: note: skipped ${bases[2]}\\.jpg: prediction pred/${bases[2]}\\.png: cannot decode PNG`),
    );
    expect(lines[1]).toMatch(
      /^smat: error: 1 of 5 images skipped \(named above\); scores\.json holds the scores of the other 4$/,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/skipped\s+1/);
    const s = JSON.parse(readFileSync(join(root, 'scores.json'), 'utf8'));
    expect([s.n, s.total, s.complete, s.iou]).toEqual([4, 5, true, 1]);
    expect(s.skipped.map((k: { name: string }) => k.name)).toEqual([`${bases[2]}.jpg`]);
    expect(s.perImage.map((p: { name: string }) => p.name)).toEqual(bases.filter((_, k) => k !== 2));
    before.set(
      join(root, 'scores.json'),
      createHash('sha256')
        .update(readFileSync(join(root, 'scores.json')))
        .digest('hex'),
    );
    expectSame(before, snapshot(root));
  });

  it.skipIf(!haveData)('Ctrl-C or SIGTERM part-way writes the scores finished so far', async () => {
    const { root } = evalSet('eval-interrupted', 120);
    const before = snapshot(root);
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const json = `scores-${signal}.json`;
      const r = await smat([...scoreArgs, '--json', json], {
        cwd: root,
        during: (child, output) => {
          const poll = setInterval(() => {
            if (/\[5\/120\]/.test(output.stdout)) {
              clearInterval(poll);
              child.kill(signal);
            }
          }, 5);
        },
      });
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(
        new RegExp(`^smat: interrupted after \\d+ of 120 images; the scores so far are in ${json}\n$`),
      );
      const s = JSON.parse(readFileSync(join(root, json), 'utf8'));
      expect(s.complete).toBe(false);
      expect(s.interrupted).toBe(signal);
      expect(s.n).toBeGreaterThanOrEqual(5);
      expect(s.n).toBeLessThan(120);
      expect(s.perImage).toHaveLength(s.n);
      expect(tempFiles(root)).toEqual([]);
      before.set(
        join(root, json),
        createHash('sha256')
          .update(readFileSync(join(root, json)))
          .digest('hex'),
      );
    }
    expectSame(before, snapshot(root));
  });

  it.skipIf(!haveData)('two photos for one ground truth, or --images equal to --gt, are refused up front', async () => {
    const { root, bases } = evalSet('eval-dupes', 3);
    copyFileSync(join(root, 'gt', `${bases[1]}.png`), join(root, 'images', `${bases[1]}.png`));
    expectOneLineError(
      await smat([...scoreArgs], { cwd: root }),
      new RegExp(
        `1 name\\(s\\) in images stand for more than one file, all scored against one ground truth: ${bases[1]}\\.jpg and ${bases[1]}\\.png`,
      ),
    );
    expectOneLineError(
      await smat(['eval', '--images', 'gt', '--gt', './gt/', '--prompt', 'box', '--models', noModels], { cwd: root }),
      /--images and --gt are the same folder/,
    );
  });
});

describe('no noise', () => {
  it('npx smat prints nothing on stderr that the user did not cause', () => {
    // npm used to warn about the .npmrc key that kept onnxruntime-node's install script offline.
    const r = spawnSync('npx', ['--no-install', 'smat', '--help'], { cwd: repo, encoding: 'utf8' });
    expect(r.stdout).toMatch(/^smat: cut objects out of photos/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // --help and the README say the same about what -o may name.
    expect(r.stdout).toMatch(/-o: a new or replaceable \.png file/);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toMatch(/`-o` must be a new or replaceable `\.png` file/);
  }, 60_000);
});
