// The connected parts of a matte, for post-processing that keeps some of them: a part is a
// connected region of alpha > 0.5 (8-neighbours), and its soft fringe (0 < alpha <= 0.5) goes with
// the part nearest to it along the matte.

import { Scratch } from './scratch';

const CORE_ALPHA = 0.5;

export interface MatteParts {
  /** How many parts the matte has. */
  count: number;
  /** Pixels of alpha > 0.5 in each part. */
  area: Int32Array;
  /** width*height: the part each pixel belongs to (core or fringe), -1 where alpha is 0 or no part reaches. */
  partOf: Int32Array;
}

/** The matte's parts; `partOf` and the floods' planes come from `scratch` (core/scratch.ts). */
export function findMatteParts(
  alpha: Float32Array,
  width: number,
  height: number,
  scratch: Scratch = new Scratch(),
): MatteParts {
  // A one-pixel border of alpha 0 around the image lets the floods below step to all 8 neighbours
  // without bounds checks: the border is never part of the matte.
  const W = width + 2;
  const padded = scratch.float32('parts-padded', W * (height + 2), true);
  for (let y = 0; y < height; y++) padded.set(alpha.subarray(y * width, (y + 1) * width), (y + 1) * W + 1);
  const steps = [-W - 1, -W, -W + 1, -1, 1, W - 1, W, W + 1];
  const label = scratch.int32('parts-label', padded.length).fill(-1);
  const queue = scratch.int32('parts-queue', padded.length);
  const areas: number[] = [];

  for (let start = 0; start < padded.length; start++) {
    if (label[start] !== -1 || !(padded[start] > CORE_ALPHA)) continue;
    const part = areas.length;
    label[start] = part;
    let tail = 0;
    queue[tail++] = start;
    for (let head = 0; head < tail; head++) {
      const i = queue[head];
      for (const step of steps) {
        const j = i + step;
        if (label[j] === -1 && padded[j] > CORE_ALPHA) {
          label[j] = part;
          queue[tail++] = j;
        }
      }
    }
    areas.push(tail);
  }

  // The fringe, breadth first from every part at once.
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
  const partOf = scratch.int32('parts-of', width * height);
  for (let y = 0; y < height; y++) partOf.set(label.subarray((y + 1) * W + 1, (y + 1) * W + 1 + width), y * width);
  return { count: areas.length, area: Int32Array.from(areas), partOf };
}

/** Alpha with every pixel of the parts not in `keep` set to 0 (a new array). */
export function keepParts(alpha: Float32Array, parts: MatteParts, keep: Uint8Array): Float32Array {
  const out = Float32Array.from(alpha);
  for (let i = 0; i < out.length; i++) {
    const part = parts.partOf[i];
    if (part >= 0 && !keep[part]) out[i] = 0;
  }
  return out;
}
