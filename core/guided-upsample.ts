// Post-processing: the model's alpha lives at S x S; the source can be many times larger. Plain
// bilinear upsampling smears edges over scale-factor pixels. A fast guided filter (He & Sun 2015)
// fits alpha ~ a*I + b locally at low resolution against the grey image I, then applies the
// upsampled (a, b) to the full-resolution grey, so edges snap to the image's own edges.
import type { RgbaImage } from './rgba-image';
import { axisWeights, resamplePlanes } from './resample';
import { boxMean } from './box-filter';
import { clamp01 } from './clamp01';

export interface GuidedUpsampleOptions {
  /** Window radius in low-resolution (model) pixels. */
  radius?: number;
  /** Regulariser on grey variance (grey in [0,1]); larger = closer to plain bilinear. */
  eps?: number;
}

export const DEFAULT_GUIDED_RADIUS = 2;
export const DEFAULT_GUIDED_EPS = 1e-3;

/**
 * `alpha` is the model output [size*size]; its top-left contentWidth x contentHeight block maps to
 * the whole source image. Returns alpha at image.width x image.height, clamped to [0,1].
 */
export function guidedUpsample(
  alpha: Float32Array,
  size: number,
  contentWidth: number,
  contentHeight: number,
  image: RgbaImage,
  options: GuidedUpsampleOptions = {},
): Float32Array {
  const cropped = cropPlane(alpha, size, contentWidth, contentHeight);
  return guidedResize(cropped, contentWidth, contentHeight, image, options);
}

/** Same as guidedUpsample for an alpha plane already cropped to the image's aspect. */
export function guidedResize(
  alpha: Float32Array,
  alphaWidth: number,
  alphaHeight: number,
  image: RgbaImage,
  options: GuidedUpsampleOptions = {},
): Float32Array {
  const radius = options.radius ?? DEFAULT_GUIDED_RADIUS;
  const eps = options.eps ?? DEFAULT_GUIDED_EPS;
  const { width, height } = image;
  // Small sources were enlarged for the model; fit (a, b) at the source size then, not above it.
  const lw = Math.min(alphaWidth, width);
  const lh = Math.min(alphaHeight, height);
  const pLow = resamplePlanes(alpha, alphaWidth, alphaHeight, lw, lh);
  // Grey is linear in RGB, so resampling RGB then taking grey avoids a full-resolution grey plane.
  const rgbLow = resamplePlanes(image.data, width, height, lw, lh, 3, 4);
  const iLow = new Float32Array(lw * lh);
  for (let k = 0; k < iLow.length; k++)
    iLow[k] = (0.299 * rgbLow[3 * k] + 0.587 * rgbLow[3 * k + 1] + 0.114 * rgbLow[3 * k + 2]) / 255;

  const n = lw * lh;
  const I = Float64Array.from(iLow);
  const p = Float64Array.from(pLow);
  const Ip = new Float64Array(n);
  const II = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    Ip[k] = I[k] * p[k];
    II[k] = I[k] * I[k];
  }
  const meanI = boxMean(I, lw, lh, radius);
  const meanP = boxMean(p, lw, lh, radius);
  const meanIp = boxMean(Ip, lw, lh, radius);
  const meanII = boxMean(II, lw, lh, radius);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const varI = Math.max(0, meanII[k] - meanI[k] * meanI[k]);
    const cov = meanIp[k] - meanI[k] * meanP[k];
    a[k] = cov / (varI + eps);
    b[k] = meanP[k] - a[k] * meanI[k];
  }
  const meanA = Float32Array.from(boxMean(a, lw, lh, radius));
  const meanB = Float32Array.from(boxMean(b, lw, lh, radius));

  return applyCoefficients(meanA, meanB, lw, lh, image);
}

/**
 * q = a*I + b with (a, b) upsampled bilinearly. Done row by row from horizontally upsampled
 * low-res rows so no full-resolution a/b planes exist: a 4096^2 source would need 128 MB for them,
 * too much for the plugin iframe.
 */
function applyCoefficients(a: Float32Array, b: Float32Array, lw: number, lh: number, image: RgbaImage): Float32Array {
  const { width, height, data } = image;
  const hx = axisWeights(lw, width);
  const rowsA = new Float32Array(lh * width);
  const rowsB = new Float32Array(lh * width);
  for (let y = 0; y < lh; y++) {
    for (let x = 0; x < width; x++) {
      let accA = 0,
        accB = 0;
      for (let k = hx.start[x]; k < hx.start[x + 1]; k++) {
        accA += a[y * lw + hx.index[k]] * hx.weight[k];
        accB += b[y * lw + hx.index[k]] * hx.weight[k];
      }
      rowsA[y * width + x] = accA;
      rowsB[y * width + x] = accB;
    }
  }
  const vy = axisWeights(lh, height);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const k0 = vy.start[y],
      k1 = vy.start[y + 1];
    for (let x = 0; x < width; x++) {
      let accA = 0,
        accB = 0;
      for (let k = k0; k < k1; k++) {
        const r = vy.index[k] * width + x;
        accA += rowsA[r] * vy.weight[k];
        accB += rowsB[r] * vy.weight[k];
      }
      const p = 4 * (y * width + x);
      const grey = (0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2]) / 255;
      const q = accA * grey + accB;
      out[y * width + x] = clamp01(q);
    }
  }
  return out;
}

/** Plain bilinear for comparison and for callers without a guide. */
export function bilinearUpsample(
  alpha: Float32Array,
  size: number,
  contentWidth: number,
  contentHeight: number,
  width: number,
  height: number,
): Float32Array {
  const out = resamplePlanes(
    cropPlane(alpha, size, contentWidth, contentHeight),
    contentWidth,
    contentHeight,
    width,
    height,
  );
  for (let k = 0; k < out.length; k++) out[k] = clamp01(out[k]);
  return out;
}

function cropPlane(plane: Float32Array, size: number, w: number, h: number): Float32Array {
  if (w === size && h === size) return plane;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) out.set(plane.subarray(y * size, y * size + w), y * w);
  return out;
}
