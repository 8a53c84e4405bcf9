// Soft-band colour error of foreground estimation on composites whose true foreground is known:
// mean |RGB - true F| (0..255, over the three channels) where 0.05 < true alpha < 0.95; and, as a
// viewer sees it, the error of the cut-out laid on black and on white against the true subject
// laid on the same, in the same band (this one also counts the alpha's own error).
import type { RgbaImage } from '../core/rgba-image';
import { estimateForeground } from '../core/estimate-foreground';
import { MULTILEVEL_DEFAULTS } from '../core/foreground-multilevel';
import { blurFusionForeground, type Planes } from './foreground-blur-fusion';
import type { ForegroundComposite } from './foreground-composites';

export interface ForegroundMethod {
  id: string;
  label: string;
  /** RGB of the cut-out (alpha channel ignored) for this photo and alpha. */
  run: (image: RgbaImage, alpha: Float32Array) => RgbaImage;
}

export interface ForegroundErrorRow {
  method: string;
  label: string;
  alpha: 'ground truth' | 'model';
  /** Mean |RGB - true F| on 0..255 over the soft band. */
  meanAbs: number;
  /** Mean |cut-out over C - truth over C| on 0..255, C = black and white, over the soft band. */
  onNewBackground: number;
  /** Soft-band pixels over all composites. */
  pixels: number;
  msPerImage: number;
}

const blurFusion = (image: RgbaImage, alpha: Float32Array): RgbaImage => {
  const n = image.width * image.height;
  const planes: Planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) planes[c][i] = image.data[4 * i + c] / 255;
  // Forte & Pitie's kernels of 90 and 6 pixels (radii 45 and 3), for images of this size.
  const f = blurFusionForeground(planes, alpha, image.width, image.height, { wideRadius: 45, narrowRadius: 3 });
  const out = new Uint8Array(image.data);
  for (let i = 0; i < n; i++) {
    if (!(alpha[i] > 0 && alpha[i] < 1)) continue;
    for (let c = 0; c < 3; c++) out[4 * i + c] = Math.round(f[c][i] * 255);
  }
  return { ...image, data: out };
};

export const FOREGROUND_METHODS: ForegroundMethod[] = [
  {
    id: 'ml',
    label: 'Multi-level (Germer et al. 2020), shipped settings',
    run: (img, a) => estimateForeground(img, a),
  },
  {
    id: 'ml-pymatting',
    label: 'Multi-level, pymatting defaults (gradient weight 1, 2 sweeps)',
    run: (img, a) =>
      estimateForeground(img, a, { solver: { ...MULTILEVEL_DEFAULTS, gradientWeight: 1, bigIterations: 2 } }),
  },
  { id: 'blur-fusion', label: 'Blur-fusion (Forte & Pitié 2021), r = 45 then 3', run: blurFusion },
];

/** Alpha as the cut-out stores it: 8-bit. */
function asBytes(alpha: Float32Array): Float32Array {
  const out = new Float32Array(alpha.length);
  for (let i = 0; i < alpha.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, alpha[i])) * 255) / 255;
  return out;
}

function bandError(
  rgb: RgbaImage,
  cutAlpha: Float32Array,
  item: ForegroundComposite,
): { sum: number; seen: number; count: number } {
  let sum = 0;
  let seen = 0;
  let count = 0;
  const { alpha, fg } = item;
  for (let i = 0; i < alpha.length; i++) {
    const t = alpha[i];
    if (!(t > 0.05 && t < 0.95)) continue;
    const a = cutAlpha[i];
    for (let c = 0; c < 3; c++) {
      const v = rgb.data[4 * i + c];
      const f = fg.data[4 * i + c];
      sum += Math.abs(v - f);
      // On black: a*v vs t*f. On white: a*v + (1-a)*255 vs t*f + (1-t)*255.
      seen += (Math.abs(a * v - t * f) + Math.abs(a * v + (1 - a) * 255 - t * f - (1 - t) * 255)) / 2;
    }
    count++;
  }
  return { sum, seen, count };
}

type BandSums = { sum: number; seen: number; count: number; ms: number };

/**
 * Runs every method on every composite once, with the true alpha and (when given) the model's,
 * and keeps each composite's soft-band sums, so `rows` can pool any subset of the composites
 * without running the estimators again.
 */
export function measureForeground(
  items: ForegroundComposite[],
  modelAlpha: Float32Array[] | null,
  methods = FOREGROUND_METHODS,
): { rows: (keep?: (k: number) => boolean) => ForegroundErrorRow[] } {
  const photo: ForegroundMethod = { id: 'photo', label: "Photo's RGB (the cut-out until now)", run: (image) => image };
  const sources: [ForegroundErrorRow['alpha'], (k: number) => Float32Array][] = [
    ['ground truth', (k) => asBytes(items[k].alpha)],
  ];
  if (modelAlpha) sources.push(['model', (k) => asBytes(modelAlpha[k])]);
  const measured = sources.flatMap(([alphaKind, alphaOf]) =>
    [photo, ...methods].map((m) => ({
      m,
      alphaKind,
      perComposite: items.map((item, k): BandSums => {
        const alpha = alphaOf(k);
        const t0 = performance.now();
        const rgb = m.run(item.image, alpha);
        const ms = performance.now() - t0;
        return { ...bandError(rgb, alpha, item), ms };
      }),
    })),
  );
  const rows = (keep: (k: number) => boolean = () => true): ForegroundErrorRow[] =>
    measured.map(({ m, alphaKind, perComposite }) => {
      const kept = perComposite.filter((_, k) => keep(k));
      const total = (key: keyof BandSums) => kept.reduce((acc, e) => acc + e[key], 0);
      const count = total('count');
      return {
        method: m.id,
        label: m.label,
        alpha: alphaKind,
        meanAbs: total('sum') / (3 * count),
        onNewBackground: total('seen') / (3 * count),
        pixels: count,
        msPerImage: total('ms') / kept.length,
      };
    });
  return { rows };
}
