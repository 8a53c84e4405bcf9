// Separable resampling of float planes. Shrinking averages the exact source area under each
// output pixel (like OpenCV's INTER_AREA) so fine texture does not alias into the model input;
// enlarging is bilinear with pixel centres at +0.5 (align_corners = false, as in PyTorch).

/** Caller-owned arrays for resamplePlanes (e.g. from core/scratch.ts); any content, overwritten. */
export interface ResampleBuffers {
  /** dw * sh * channels: the horizontal pass. */
  mid?: Float32Array;
  /** dw * dh * channels: the result. */
  out?: Float32Array;
}

/**
 * Resamples `channels` interleaved planes from sw x sh to dw x dh. `srcStride` > channels reads the
 * first `channels` of wider pixels, so RGBA bytes can be resampled to RGB floats without first
 * making a full-resolution float copy (200 MB for a 4096^2 photo, too much for the plugin iframe).
 */
export function resamplePlanes(
  src: Float32Array | Uint8Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  channels = 1,
  srcStride = channels,
  buffers: ResampleBuffers = {},
): Float32Array {
  if (sw === dw && sh === dh && srcStride === channels) {
    if (!buffers.out) return Float32Array.from(src);
    buffers.out.set(src);
    return buffers.out;
  }
  // Horizontal pass first (sh rows of dw), then vertical.
  const hx = axisWeights(sw, dw);
  const mid = buffers.mid ?? new Float32Array(dw * sh * channels);
  for (let y = 0; y < sh; y++) {
    const srcRow = y * sw * srcStride;
    const midRow = y * dw * channels;
    for (let x = 0; x < dw; x++) {
      const start = hx.start[x];
      const end = hx.start[x + 1];
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = start; k < end; k++) acc += src[srcRow + hx.index[k] * srcStride + c] * hx.weight[k];
        mid[midRow + x * channels + c] = acc;
      }
    }
  }
  const vy = axisWeights(sh, dh);
  // The vertical pass adds into it.
  const out = buffers.out?.fill(0) ?? new Float32Array(dw * dh * channels);
  const rowLen = dw * channels;
  for (let y = 0; y < dh; y++) {
    const start = vy.start[y];
    const end = vy.start[y + 1];
    const dst = y * rowLen;
    for (let k = start; k < end; k++) {
      const srcRow = vy.index[k] * rowLen;
      const w = vy.weight[k];
      for (let i = 0; i < rowLen; i++) out[dst + i] += mid[srcRow + i] * w;
    }
  }
  return out;
}

export interface AxisWeights {
  /** CSR layout: taps of output i are index/weight[start[i] .. start[i+1]). */
  start: Int32Array;
  index: Int32Array;
  weight: Float32Array;
}

/** Per-axis taps for resampling srcLen samples to dstLen (area when shrinking, bilinear otherwise). */
export function axisWeights(srcLen: number, dstLen: number): AxisWeights {
  const start = new Int32Array(dstLen + 1);
  const index: number[] = [];
  const weight: number[] = [];
  const ratio = srcLen / dstLen;
  for (let i = 0; i < dstLen; i++) {
    start[i] = index.length;
    if (ratio > 1) {
      // Area: output pixel i covers source interval [i*ratio, (i+1)*ratio).
      const a = i * ratio;
      const b = Math.min((i + 1) * ratio, srcLen);
      for (let k = Math.floor(a); k < Math.ceil(b); k++) {
        const overlap = Math.min(b, k + 1) - Math.max(a, k);
        if (overlap > 0) {
          index.push(k);
          weight.push(overlap / ratio);
        }
      }
    } else {
      const centre = (i + 0.5) * ratio - 0.5;
      const k0 = Math.floor(centre);
      const t = centre - k0;
      const lo = Math.min(Math.max(k0, 0), srcLen - 1);
      const hi = Math.min(Math.max(k0 + 1, 0), srcLen - 1);
      if (lo === hi) {
        index.push(lo);
        weight.push(1);
      } else {
        index.push(lo, hi);
        weight.push(1 - t, t);
      }
    }
  }
  start[dstLen] = index.length;
  return { start, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}
