import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodeGreyPng, encodePng } from '../core/image-codecs';
import { Scratch } from '../core/scratch';

const dataDir = process.env.SMAT_DATA ? resolve(process.env.SMAT_DATA) : resolve(__dirname, '../../shared/data');
const photoPath = join(dataDir, 'examples/astronaut.png');
const havePhoto = existsSync(photoPath);
if (!havePhoto) console.warn(`[core-png-encode] SKIPPED: no photo at ${photoPath} (set SMAT_DATA)`);

describe('PNG encoding', () => {
  it.skipIf(!havePhoto)("writes fast-png's bytes for an RGBA cut-out and a grey matte, and they decode back", () => {
    const photo = decodeImage(new Uint8Array(readFileSync(photoPath)));
    const { width, height } = photo;
    // Every alpha value, soft ones included, in a pattern deflate cannot fold away.
    const data = Uint8Array.from(photo.data);
    for (let i = 0; i < width * height; i++) data[4 * i + 3] = (i * 7 + (i >> 9)) % 256;
    const cutout = { width, height, data };
    const expected = encode({ width, height, data, depth: 8, channels: 4 }, { zlib: { level: 1 } });
    const scratch = new Scratch();
    for (const png of [encodePng(cutout), encodePng(cutout, scratch), encodePng(cutout, scratch)])
      expect(Buffer.compare(Buffer.from(png), Buffer.from(expected))).toBe(0);
    expect(Buffer.compare(Buffer.from(decodeImage(encodePng(cutout)).data), Buffer.from(data))).toBe(0);

    const alpha = Float32Array.from({ length: width * height }, (_, i) => (i % 255) / 254);
    const grey = Uint8Array.from(alpha, (a) => Math.round(a * 255));
    const greyExpected = encode({ width, height, data: grey, depth: 8, channels: 1 }, { zlib: { level: 1 } });
    expect(Buffer.compare(Buffer.from(encodeGreyPng(alpha, width, height)), Buffer.from(greyExpected))).toBe(0);
  });
});
