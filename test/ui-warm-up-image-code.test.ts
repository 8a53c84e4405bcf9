// The panel's start-up run of its image code (ui/warm-up-image-code.ts) on the small warm-up image:
// it exercises the soft edge the real steps meet, and leaves nothing behind that a photo's matte sees.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guidedUpsample } from '../core/guided-upsample';
import { decodeImage } from '../core/image-codecs';
import { keepMainParts } from '../core/keep-main-parts';
import { resamplePlanes } from '../core/resample';
import { warmUpImage } from '../core/warm-up-image';
import { warmUpImageCode } from '../ui/warm-up-image-code';

const dataDir = resolve(__dirname, '..', process.env.SMAT_DATA ?? '../shared/data');
const haveData = existsSync(join(dataDir, 'ecssd-val', 'images'));

describe('the warm-up of the image code', () => {
  it('has a soft-edged matte: opaque, clear and in-between pixels', () => {
    const { image, alpha } = warmUpImage();
    expect(alpha.length).toBe(image.width * image.height);
    const soft = alpha.filter((a) => a > 0 && a < 1).length;
    expect(alpha.filter((a) => a === 1).length).toBeGreaterThan(1000);
    expect(alpha.filter((a) => a === 0).length).toBeGreaterThan(1000);
    expect(soft).toBeGreaterThan(500);
  });

  it.skipIf(!haveData)("leaves a real photo's upsampling and clean-up as they were", () => {
    const image = decodeImage(readFileSync(join(dataDir, 'ecssd-val', 'images', '0042.jpg')));
    const mask = decodeImage(readFileSync(join(dataDir, 'ecssd-val', 'masks', '0042.png')));
    const full = Float32Array.from({ length: mask.width * mask.height }, (_, i) => mask.data[4 * i] / 255);
    const size = 256;
    const small = resamplePlanes(full, image.width, image.height, size, size, 1);
    const post = () => keepMainParts(guidedUpsample(small, size, size, size, image), image.width, image.height);
    const before = post();
    warmUpImageCode();
    expect(post()).toEqual(before);
  });
});
