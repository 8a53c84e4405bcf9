// A painted scribble mask (a PNG the size of the image) becomes ordinary scribble prompts, so the
// rasteriser contract stays the three kinds of ARCHITECTURE.md. Each horizontal run of painted
// pixels becomes one segment through the pixel centres with a 1-pixel brush; the rasteriser's
// minimum brush of 3 model pixels then covers the run, so the painted area survives the letterbox.
import type { ScribblePrompt } from './prompt-types';

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
        points: [{ x: start + 0.5, y: y + 0.5 }, { x: x - 0.5, y: y + 0.5 }],
        width: 1,
      });
    }
  }
  return out;
}
