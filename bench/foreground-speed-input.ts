// A deterministic photo + alpha for timing foreground estimation at any size, built the same way
// in Node and in the browser (no files): a subject with a wavy, soft edge (like hair) on a textured
// background. The soft band is about 2% of the long side wide and covers roughly 4-5% of the
// pixels, like our model's alpha of a portrait brought up to full resolution.
import type { RgbaImage } from '../core/rgba-image';

export function foregroundSpeedInput(size: number): { image: RgbaImage; alpha: Float32Array } {
  const n = size * size;
  const data = new Uint8Array(4 * n);
  const alpha = new Float32Array(n);
  const c = size / 2;
  const radius = 0.3 * size;
  const soft = 0.02 * size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const dx = x - c;
      const dy = y - c;
      const theta = Math.atan2(dy, dx);
      const edge = radius * (1 + 0.05 * Math.sin(23 * theta) + 0.03 * Math.sin(61 * theta));
      const a = Math.min(1, Math.max(0, (edge - Math.hypot(dx, dy)) / soft + 0.5));
      alpha[i] = a;
      // Subject: warm and smooth; background: green with a fine pattern.
      const fg = [200 - (60 * y) / size, 120, 80];
      const bg = [40, 150 + 60 * Math.sin(x / 7), 60 + 40 * Math.cos(y / 5)];
      for (let k = 0; k < 3; k++) data[4 * i + k] = Math.round(a * fg[k] + (1 - a) * bg[k]);
      data[4 * i + 3] = 255;
    }
  }
  return { image: { width: size, height: size, data }, alpha };
}
