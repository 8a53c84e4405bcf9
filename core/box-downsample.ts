// Shrinks by an integer factor k: each output pixel is the mean of its k x k block (fewer at the
// right and bottom edges when the size is not a multiple of k). One pass over the source, which
// for a 4096x4096 photo is several times cheaper than general area resampling (core/resample.ts).

/**
 * `channels` values per output pixel, read from the first `channels` of every `stride` source
 * values and multiplied by `scale` (1/255 turns bytes into 0..1).
 */
export function boxDownsample(
  src: Uint8Array | Float32Array,
  width: number,
  height: number,
  k: number,
  channels: number,
  stride = channels,
  scale = 1,
): { data: Float32Array; width: number; height: number } {
  const w = Math.ceil(width / k);
  const h = Math.ceil(height / k);
  const out = new Float32Array(w * h * channels);
  const column = new Int32Array(width);
  for (let x = 0; x < width; x++) column[x] = ((x / k) | 0) * channels;
  if (src instanceof Uint8Array && channels === 4 && stride === 4) {
    // RGBA bytes, all four channels (the cut-out's photo and alpha in one pass): unrolled, since
    // this loop reads every byte of a 4096x4096 photo.
    for (let y = 0; y < height; y++) {
      const orow = ((y / k) | 0) * w * 4;
      let s = y * width * 4;
      for (let x = 0; x < width; x++, s += 4) {
        const o = orow + column[x];
        out[o] += src[s];
        out[o + 1] += src[s + 1];
        out[o + 2] += src[s + 2];
        out[o + 3] += src[s + 3];
      }
    }
  } else {
    for (let y = 0; y < height; y++) {
      const orow = ((y / k) | 0) * w * channels;
      let s = y * width * stride;
      for (let x = 0; x < width; x++, s += stride) {
        const o = orow + column[x];
        for (let c = 0; c < channels; c++) out[o + c] += src[s + c];
      }
    }
  }
  for (let j = 0; j < h; j++) {
    const rows = Math.min(k, height - j * k);
    for (let i = 0; i < w; i++) {
      const inv = scale / (rows * Math.min(k, width - i * k));
      const o = (j * w + i) * channels;
      for (let c = 0; c < channels; c++) out[o + c] *= inv;
    }
  }
  return { data: out, width: w, height: h };
}
