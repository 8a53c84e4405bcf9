// Held-out composites with a known foreground colour (smat_model/data/make_foreground_composites.py),
// and our model's alpha for each (box prompt = the true alpha's bounding box), cached next to
// them as raw float32 so re-running the estimators does not re-run the model.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { decodeImage } from '../core/image-codecs';
import type { RgbaImage } from '../core/rgba-image';
import type { SmatRunner } from '../core/smat-runner';
import { repoRelative } from './data';

export const DEFAULT_FG_COMPOSITES_DIR = 'runs/fg-composites';

export interface ForegroundComposite {
  name: string;
  image: RgbaImage;
  /** True foreground colour (RGB used; 0 where alpha is 0). */
  fg: RgbaImage;
  alpha: Float32Array;
}

/** Writes the composites with the Python generator unless `dir` already holds them. */
export function ensureForegroundComposites(dir: string, dataDir: string, log: (s: string) => void): void {
  if (fs.existsSync(path.join(dir, 'images'))) return;
  log(`foreground: writing held-out composites to ${dir} (smat_model/data/make_foreground_composites.py)`);
  const r = spawnSync(
    '/usr/bin/python3',
    ['-m', 'smat_model.data.make_foreground_composites', '--data', dataDir, '--out', dir],
    {
      env: { ...process.env, PYTHONPATH: '.' },
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) throw new Error(`make_foreground_composites failed (exit ${r.status})`);
}

const grey = (img: RgbaImage): Float32Array => {
  const out = new Float32Array(img.width * img.height);
  for (let i = 0; i < out.length; i++) out[i] = img.data[4 * i] / 255;
  return out;
};

export function loadForegroundComposites(dir: string, limit = Infinity): ForegroundComposite[] {
  const names = fs
    .readdirSync(path.join(dir, 'images'))
    .filter((f) => f.endsWith('.png'))
    .sort()
    .slice(0, limit);
  return names.map((name) => {
    const read = (sub: string) => decodeImage(new Uint8Array(fs.readFileSync(path.join(dir, sub, name))));
    return { name, image: read('images'), fg: read('fg'), alpha: grey(read('alpha')) };
  });
}

/** Bounding box of alpha > 0, as the bench's quality section prompts ECSSD. */
function boxOf(alpha: Float32Array, width: number) {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1;
  for (let i = 0; i < alpha.length; i++) {
    if (alpha[i] <= 0) continue;
    const x = i % width,
      y = (i / width) | 0;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { kind: 'box' as const, x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** The model's alpha for each composite; `tag` names the model and its pre/post-processing so a new export is not mixed up with a cached one. */
export async function modelAlphas(
  runner: SmatRunner,
  items: ForegroundComposite[],
  dir: string,
  tag: string,
  log: (s: string) => void,
): Promise<Float32Array[]> {
  const cacheDir = path.join(dir, `model-alpha-${tag}`);
  fs.mkdirSync(cacheDir, { recursive: true });
  const out: Float32Array[] = [];
  for (const item of items) {
    const file = path.join(cacheDir, item.name.replace(/\.png$/, '.f32'));
    if (fs.existsSync(file)) {
      const buf = fs.readFileSync(file);
      out.push(new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
      continue;
    }
    const r = await runner.matte(item.image, [boxOf(item.alpha, item.image.width)]);
    fs.writeFileSync(file, Buffer.from(r.alpha.buffer, r.alpha.byteOffset, r.alpha.byteLength));
    out.push(r.alpha);
  }
  log(`foreground: model alpha for ${items.length} composites (${repoRelative(cacheDir)})`);
  return out;
}
