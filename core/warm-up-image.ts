// A small photo-like image with a soft-edged disc for its matte. The panel and Apply's worker put
// it through their image code once as they start, while the model loads: V8 then has those loops
// compiled when the first real photo comes, where they ran unoptimised before.
import type { RgbaImage } from './rgba-image';

export function warmUpImage(side = 192): { image: RgbaImage; alpha: Float32Array } {
  const data = new Uint8Array(side * side * 4);
  const alpha = new Float32Array(side * side);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const i = y * side + x;
      data.set([x, y, (x + y) >> 1, 255], 4 * i);
      alpha[i] = Math.min(1, Math.max(0, (side / 3 - Math.hypot(x - side / 2, y - side / 2)) / 8));
    }
  return { image: { width: side, height: side, data }, alpha };
}
