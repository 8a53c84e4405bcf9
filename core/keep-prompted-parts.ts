// Clicks and strokes mark the object; a separate part of the matte that none of them touches is
// another object the similarity map found alike (a second copy of the clicked thing, a neighbour
// of the same colour). The matte keeps only the parts the prompt touches. A part is a connected
// region of alpha > 0.5; its soft fringe goes with the part it is closest to along the matte.

const CORE_ALPHA = 0.5;

/**
 * Alpha (width*height, row-major) without the parts that no pixel of `touched` (same size, non-zero
 * where a prompt lies) reaches. Returns a new array. When the prompt touches no part at all (a
 * click on the background) nothing is removed: the matte is then the model's answer as it is.
 */
export function keepPromptedParts(
  alpha: Float32Array,
  width: number,
  height: number,
  touched: Uint8Array,
): Float32Array {
  // A one-pixel border of alpha 0 around the image lets the floods below step to all 8 neighbours
  // without bounds checks: the border is never part of the matte.
  const W = width + 2;
  const padded = new Float32Array(W * (height + 2));
  for (let y = 0; y < height; y++) padded.set(alpha.subarray(y * width, (y + 1) * width), (y + 1) * W + 1);
  const steps = [-W - 1, -W, -W + 1, -1, 1, W - 1, W, W + 1];
  const label = new Int32Array(padded.length).fill(-1);
  const queue = new Int32Array(padded.length);

  let parts = 0;
  for (let start = 0; start < padded.length; start++) {
    if (label[start] !== -1 || !(padded[start] > CORE_ALPHA)) continue;
    label[start] = parts;
    let tail = 0;
    queue[tail++] = start;
    for (let head = 0; head < tail; head++) {
      const i = queue[head];
      for (const step of steps) {
        const j = i + step;
        if (label[j] === -1 && padded[j] > CORE_ALPHA) {
          label[j] = parts;
          queue[tail++] = j;
        }
      }
    }
    parts++;
  }

  const keep = new Uint8Array(parts);
  let kept = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const part = label[(y + 1) * W + x + 1];
      if (touched[y * width + x] && part >= 0 && !keep[part]) {
        keep[part] = 1;
        kept++;
      }
    }
  }
  if (kept === 0 || kept === parts) return Float32Array.from(alpha);

  // The fringe (0 < alpha <= 0.5) joins the nearest part through the matte: breadth first from every part at once.
  let tail = 0;
  for (let i = 0; i < label.length; i++) if (label[i] >= 0) queue[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const i = queue[head];
    for (const step of steps) {
      const j = i + step;
      if (label[j] === -1 && padded[j] > 0) {
        label[j] = label[i];
        queue[tail++] = j;
      }
    }
  }
  const out = Float32Array.from(alpha);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const part = label[(y + 1) * W + x + 1];
      if (part >= 0 && !keep[part]) out[y * width + x] = 0;
    }
  }
  return out;
}

/**
 * The prompt mask the head saw (size*size, letterboxed at `scale` model pixels per source pixel)
 * brought to the source image: non-zero where the source pixel's centre falls on a prompted model pixel.
 */
export function promptMaskAtSource(
  mask: Float32Array,
  size: number,
  scale: number,
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const my = Math.min(size - 1, Math.floor((y + 0.5) * scale));
    for (let x = 0; x < width; x++) {
      const mx = Math.min(size - 1, Math.floor((x + 0.5) * scale));
      if (mask[my * size + mx] > 0) out[y * width + x] = 1;
    }
  }
  return out;
}
