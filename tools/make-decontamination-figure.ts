// The README's before/after picture of colour decontamination:
//   npx tsx tools/make-decontamination-figure.ts [out.png]   (default docs/decontaminate-before-after.png)
// examples/astronaut.png through the real CLI path (our model, automatic mode, applyAlphaAsCutout
// without and with decontamination), each cut-out laid on a light yellow that the photo's dark
// grey background contrasts with, cropped to the hair and enlarged 3x (nearest) so the fringe shows.
// Left: the photo's colours (before); right: decontaminated.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunner, readModelFiles } from '../cli/model-files';
import { applyAlphaAsCutout } from '../core/composite';
import { decodeImage, encodePng } from '../core/image-codecs';
import type { RgbaImage } from '../core/rgba-image';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NEW_BACKGROUND = [255, 236, 90];
const CROP = { x: 140, y: 10, width: 170, height: 85 }; // the hair, in astronaut.png pixels
const ZOOM = 3;
const GAP = 10;

function onColourCropped(cutout: RgbaImage): RgbaImage {
  const w = CROP.width * ZOOM;
  const h = CROP.height * ZOOM;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = 4 * ((CROP.y + Math.floor(y / ZOOM)) * cutout.width + CROP.x + Math.floor(x / ZOOM));
      const a = cutout.data[s + 3] / 255;
      const d = 4 * (y * w + x);
      for (let c = 0; c < 3; c++) data[d + c] = Math.round(a * cutout.data[s + c] + (1 - a) * NEW_BACKGROUND[c]);
      data[d + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

function sideBySide(left: RgbaImage, right: RgbaImage): RgbaImage {
  const width = left.width + GAP + right.width;
  const height = left.height;
  const data = new Uint8Array(width * height * 4).fill(255);
  for (let y = 0; y < height; y++) {
    data.set(left.data.subarray(4 * y * left.width, 4 * (y + 1) * left.width), 4 * y * width);
    data.set(right.data.subarray(4 * y * right.width, 4 * (y + 1) * right.width), 4 * (y * width + left.width + GAP));
  }
  return { width, height, data };
}

async function main() {
  const out = process.argv[2] ?? path.join(repo, 'docs', 'decontaminate-before-after.png');
  const photo = decodeImage(new Uint8Array(fs.readFileSync(path.join(repo, 'examples', 'astronaut.png'))));
  const runner = await createRunner(readModelFiles(undefined), 1);
  try {
    const { alpha } = await runner.matte(photo, []);
    const before = onColourCropped(applyAlphaAsCutout(photo, alpha));
    const after = onColourCropped(applyAlphaAsCutout(photo, alpha, { decontaminate: true }));
    fs.writeFileSync(out, encodePng(sideBySide(before, after)));
    console.log(`wrote ${path.relative(repo, out)}`);
  } finally {
    await runner.release();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
