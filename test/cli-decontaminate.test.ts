// `smat matte` decontaminates the cut-out's colours by default; --no-decontaminate keeps the
// photo's colour exactly (the cut-out as it was before), and --mask-only ignores both.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../core/image-codecs';
import { haveShippedModel } from './shipped-model';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'smat.mjs');
const photo = join(repo, 'examples', 'astronaut.png');
const haveModels = haveShippedModel();
if (!haveModels) console.warn(`[cli-decontaminate] SKIPPED: model files missing in ${join(repo, 'models')}`);
const tmp = mkdtempSync(join(tmpdir(), 'smat-decon-'));

function smat(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: tmp, timeout: 170_000 }, (err, _stdout, stderr) => {
      done({ code: err ? 1 : 0, stderr });
    });
  });
}

describe('smat matte colour decontamination', () => {
  it.skipIf(!haveModels || !existsSync(photo))(
    'is on by default and off with --no-decontaminate',
    async () => {
      const on = join(tmp, 'on.png');
      const off = join(tmp, 'off.png');
      const mask = join(tmp, 'mask.png');
      const maskOff = join(tmp, 'mask-off.png');
      for (const [args, out] of [
        [[], on],
        [['--no-decontaminate'], off],
        [['--mask-only'], mask],
        [['--mask-only', '--no-decontaminate'], maskOff],
      ] as const) {
        const r = await smat(['matte', photo, '-o', out, '--threads', '2', '-q', ...args]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
      const src = decodeImage(readFileSync(photo));
      const a = decodeImage(readFileSync(on));
      const b = decodeImage(readFileSync(off));
      let soft = 0;
      let softChanged = 0;
      for (let i = 0; i < src.width * src.height; i++) {
        const alpha = a.data[4 * i + 3];
        expect(b.data[4 * i + 3]).toBe(alpha);
        // Off: the photo's colour at every pixel, as before.
        for (let c = 0; c < 3; c++) expect(b.data[4 * i + c]).toBe(src.data[4 * i + c]);
        if (alpha === 255) for (let c = 0; c < 3; c++) expect(a.data[4 * i + c]).toBe(src.data[4 * i + c]);
        else if (alpha === 0) expect(Array.from(a.data.subarray(4 * i, 4 * i + 3))).toEqual([0, 0, 0]);
        else {
          soft++;
          if (
            a.data[4 * i] !== src.data[4 * i] ||
            a.data[4 * i + 1] !== src.data[4 * i + 1] ||
            a.data[4 * i + 2] !== src.data[4 * i + 2]
          )
            softChanged++;
        }
      }
      expect(soft).toBeGreaterThan(500);
      expect(softChanged).toBeGreaterThan(soft / 2);
      // The mask does not depend on the switch.
      expect(readFileSync(mask).equals(readFileSync(maskOff))).toBe(true);
    },
    180_000,
  );
});
