// ECSSD validation pairs for the benchmark. The data stays where it is (never copied into the repo).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage } from '../core/image-codecs';
import type { RgbaImage } from '../core/rgba-image';

/** The repository root, found from this file so the bench runs from any working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** ECSSD validation split: SMAT_DATA (default ../shared/data beside the repository) + ecssd-val. */
export const DEFAULT_DATA_DIR = path.join(
  path.resolve(REPO_ROOT, process.env.SMAT_DATA ?? '../shared/data'),
  'ecssd-val',
);

/**
 * A path as stored in results.json / RESULTS.md: relative to the repository (e.g.
 * ../shared/data/ecssd-val), so the committed results name no folder of one machine.
 */
export function repoRelative(p: string): string {
  return path.relative(REPO_ROOT, path.resolve(p)).split(path.sep).join('/') || '.';
}

export interface Pair {
  id: string;
  imagePath: string;
  maskPath: string;
}

export interface LoadedPair extends Pair {
  image: RgbaImage;
  /** Ground-truth alpha in [0,1], width*height. */
  gt: Float32Array;
}

/** Pairs sorted by id; images/<id>.jpg|png with masks/<id>.png. */
export function listPairs(dir = DEFAULT_DATA_DIR): Pair[] {
  const imgDir = path.join(dir, 'images');
  const maskDir = path.join(dir, 'masks');
  if (!fs.existsSync(imgDir) || !fs.existsSync(maskDir))
    throw new Error(`dataset not found: ${dir} (needs images/ and masks/)`);
  const pairs: Pair[] = [];
  for (const f of fs.readdirSync(imgDir).sort()) {
    const ext = path.extname(f).toLowerCase();
    if (!['.jpg', '.jpeg', '.png'].includes(ext)) continue;
    const id = path.basename(f, path.extname(f));
    const maskPath = path.join(maskDir, `${id}.png`);
    if (!fs.existsSync(maskPath)) continue;
    pairs.push({ id, imagePath: path.join(imgDir, f), maskPath });
  }
  return pairs;
}

/** Grey mask (any PNG) -> alpha in [0,1]: the alpha channel if the file has one that is not all 255, else the red/grey channel. */
export function maskToAlpha(mask: RgbaImage): Float32Array {
  const n = mask.width * mask.height;
  const out = new Float32Array(n);
  let alphaUsed = false;
  for (let i = 0; i < n; i++)
    if (mask.data[i * 4 + 3] !== 255) {
      alphaUsed = true;
      break;
    }
  const off = alphaUsed ? 3 : 0;
  for (let i = 0; i < n; i++) out[i] = mask.data[i * 4 + off] / 255;
  return out;
}

export function loadPair(p: Pair): LoadedPair {
  const image = decodeImage(new Uint8Array(fs.readFileSync(p.imagePath)));
  const mask = decodeImage(new Uint8Array(fs.readFileSync(p.maskPath)));
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new Error(`${p.id}: mask ${mask.width}x${mask.height} vs image ${image.width}x${image.height}`);
  }
  return { ...p, image, gt: maskToAlpha(mask) };
}
