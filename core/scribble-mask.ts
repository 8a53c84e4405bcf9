// A painted scribble mask (a PNG the size of the image) becomes ordinary scribble prompts, so the
// rasteriser contract stays the three kinds of ARCHITECTURE.md. Each horizontal run of painted
// pixels becomes one segment through the pixel centres with a 1-pixel brush; the rasteriser's
// minimum brush (model.json's minScribbleWidth, 3 model pixels for the shipped model) then covers
// the run, so the painted area survives the letterbox.
import type { ScribblePrompt } from './prompt-types';
import type { RgbaImage } from './rgba-image';

/** `painted[y*width + x]` nonzero = scribbled. */
export function maskRunsToScribbles(painted: ArrayLike<number>, width: number, height: number): ScribblePrompt[] {
  const out: ScribblePrompt[] = [];
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let x = 0;
    while (x < width) {
      if (!painted[row + x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && painted[row + x]) x++;
      out.push({
        kind: 'scribble',
        points: [
          { x: start + 0.5, y: y + 0.5 },
          { x: x - 0.5, y: y + 0.5 },
        ],
        width: 1,
      });
    }
  }
  return out;
}

/**
 * Which pixels of a scribble image are painted (1) and which are not (0). The alpha channel
 * carries the strokes only when some pixel is not opaque: editors often save a black canvas with
 * white strokes as RGBA with alpha 255 everywhere, and reading that alpha would mark every pixel
 * as painted. Without usable alpha (grey/RGB files, or RGBA that is opaque everywhere) a pixel
 * is painted when it is not black, i.e. its luminance is above zero.
 */
export function paintedPixels(image: RgbaImage, hasAlpha: boolean): Uint8Array {
  const n = image.width * image.height;
  const d = image.data;
  let alphaUsed = false;
  if (hasAlpha) {
    for (let i = 0; i < n; i++) {
      if (d[4 * i + 3] !== 255) {
        alphaUsed = true;
        break;
      }
    }
  }
  const painted = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    painted[i] = alphaUsed ? (d[4 * i + 3] > 0 ? 1 : 0) : d[4 * i] | d[4 * i + 1] | d[4 * i + 2] ? 1 : 0;
  }
  return painted;
}
