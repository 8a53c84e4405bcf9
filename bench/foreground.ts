// The bench's foreground section (`npm run bench -- --foreground-only`, or part of a full run):
// soft-band colour error on held-out composites (photo / estimator with true alpha / with our
// model's alpha) and the estimator's speed in Node and headless Chromium.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors';
import { REPO_ROOT, repoRelative } from './data';
import {
  ensureForegroundComposites,
  loadForegroundComposites,
  modelAlphas,
  type ForegroundComposite,
} from './foreground-composites';
import { measureForeground, type ForegroundErrorRow } from './foreground-quality';
import { FOREGROUND_SIZES, foregroundSpeedChromium, foregroundSpeedNode } from './foreground-speed';
import type { ForegroundTiming } from './foreground-timing';
import { createOurRunner, findOurModels } from './ours';
import { loadRuntime } from './runtimes';
import { machineSnapshot, type MachineSnapshot } from './machine';

export interface ForegroundResults {
  /** This section can be re-measured alone (--foreground-only): its own date and machine load. */
  measured: MachineSnapshot;
  composites: { dir: string; n: number };
  errors: ForegroundErrorRow[];
  /** Mean |model alpha - true alpha| over the same soft band; null without the model. */
  modelAlphaBandError: number | null;
  modelSkipped?: string;
  /**
   * The model-alpha rows again, per kind of composite: a whole subject made semi-transparent
   * (alpha scaled by 0.6-0.9) puts its entire area in the soft band, so a few of them outweigh
   * the hair and edges of all the others in the pooled numbers. Absent in results written before.
   */
  byKind?: KindRow[];
  speed: {
    node: ForegroundTiming[];
    chromium: ForegroundTiming[] | null;
    chromiumVersion?: string;
    chromiumSkipped?: string;
  };
}

export interface KindRow {
  kind: 'opaque subject (hair, edges)' | 'semi-transparent subject';
  composites: number;
  pixels: number;
  photo: number;
  estimator: number;
  alphaBandError: number;
}

export interface ForegroundRunOptions {
  models: string;
  threads: number;
  runs: number;
  log: (s: string) => void;
}

const dataRoot = () => path.resolve(REPO_ROOT, process.env.SMAT_DATA ?? '../shared/data');

function modelTag(files: string[]): string {
  const h = crypto.createHash('sha1');
  for (const f of files) h.update(fs.readFileSync(f));
  return h.digest('hex').slice(0, 12);
}

/** Our model's alphas for the composites, or why there are none. */
async function ourAlphas(
  opts: ForegroundRunOptions,
  items: ForegroundComposite[],
  dir: string,
): Promise<{ alphas: Float32Array[] | null; modelSkipped?: string }> {
  const ours = findOurModels(opts.models);
  if (ours.missing) return { alphas: null, modelSkipped: ours.missing };
  const rt = await loadRuntime('node-cpu', opts.threads);
  const files = ours.found[0];
  const runner = await createOurRunner(rt.ort, files, rt.sessionOptions);
  try {
    // Pre- and post-processing (core/) shape the alpha as much as the graphs do, so they name the cache too.
    const core = path.join(REPO_ROOT, 'core');
    const coreSources = fs
      .readdirSync(core)
      .sort()
      .map((name) => path.join(core, name));
    const tag = modelTag([...Object.values(files.graphs), ...coreSources]);
    return { alphas: await modelAlphas(runner, items, dir, tag, opts.log) };
  } finally {
    await runner.release();
  }
}

/** Mean |model alpha - true alpha| where the true alpha is soft (0.05..0.95), the band the colour error is measured on. */
function softBandAlphaError(items: ForegroundComposite[], alphas: Float32Array[]): number {
  let sum = 0;
  let n = 0;
  items.forEach((item, k) => {
    for (let i = 0; i < item.alpha.length; i++) {
      if (!(item.alpha[i] > 0.05 && item.alpha[i] < 0.95)) continue;
      sum += Math.abs(Math.min(1, Math.max(0, alphas[k][i])) - item.alpha[i]);
      n++;
    }
  });
  return sum / n;
}

const isSemiTransparent = (item: ForegroundComposite) => item.alpha.every((v) => v < 0.95);

/** The model-alpha rows of the photo and the shipped estimator, pooled per kind of composite. */
function errorsByKind(
  items: ForegroundComposite[],
  alphas: Float32Array[],
  rows: (keep: (k: number) => boolean) => ForegroundErrorRow[],
): KindRow[] {
  const kinds: [KindRow['kind'], boolean][] = [
    ['opaque subject (hair, edges)', false],
    ['semi-transparent subject', true],
  ];
  return kinds.flatMap(([kind, semi]) => {
    const keep = (k: number) => isSemiTransparent(items[k]) === semi;
    const subset = items.filter((_, k) => keep(k));
    if (subset.length === 0) return [];
    const pooled = rows(keep);
    const modelRow = (method: string) => pooled.find((r) => r.alpha === 'model' && r.method === method)!;
    return [
      {
        kind,
        composites: subset.length,
        pixels: modelRow('photo').pixels,
        photo: modelRow('photo').meanAbs,
        estimator: modelRow('ml').meanAbs,
        alphaBandError: softBandAlphaError(
          subset,
          alphas.filter((_, k) => keep(k)),
        ),
      },
    ];
  });
}

/** The estimator's speed in Node, and in headless Chromium where there is one. */
async function foregroundSpeed(runs: number, log: (s: string) => void): Promise<ForegroundResults['speed']> {
  log('foreground: speed');
  const node = foregroundSpeedNode(FOREGROUND_SIZES, runs, log);
  let chromium: ForegroundTiming[] | null = null;
  let chromiumVersion: string | undefined;
  let chromiumSkipped: string | undefined;
  try {
    const c = await foregroundSpeedChromium(FOREGROUND_SIZES, runs, log);
    chromium = c.timings;
    chromiumVersion = c.version;
  } catch (err) {
    chromiumSkipped = errorMessage(err).split('\n')[0];
    log(`  chromium: not measured (${chromiumSkipped})`);
  }
  return { node, chromium, chromiumVersion, chromiumSkipped };
}

export async function runForeground(opts: ForegroundRunOptions): Promise<ForegroundResults> {
  const { log } = opts;
  const measured = machineSnapshot();
  const dir = path.join(REPO_ROOT, 'runs', 'fg-composites');
  ensureForegroundComposites(dir, dataRoot(), log);
  const items = loadForegroundComposites(dir);
  log(`foreground: ${items.length} held-out composites in ${repoRelative(dir)}`);

  const { alphas, modelSkipped } = await ourAlphas(opts, items, dir);
  const colourErrors = measureForeground(items, alphas);
  const errors = colourErrors.rows();
  for (const r of errors)
    log(
      `  ${r.method} (${r.alpha} alpha): ${r.meanAbs.toFixed(2)}, on a new background ${r.onNewBackground.toFixed(2)}`,
    );
  const modelAlphaBandError = alphas ? softBandAlphaError(items, alphas) : null;
  return {
    measured,
    composites: { dir: repoRelative(dir), n: items.length },
    errors,
    modelAlphaBandError,
    modelSkipped,
    byKind: alphas ? errorsByKind(items, alphas, colourErrors.rows) : undefined,
    speed: await foregroundSpeed(opts.runs, log),
  };
}

const ms = (v: number) => (v >= 10000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`);

/** The RESULTS.md section. */
export function foregroundMarkdown(r: ForegroundResults): string[] {
  const L: string[] = ['## Foreground colours (decontamination)', ''];
  if (r.measured)
    L.push(
      `Measured on ${r.measured.date}: ${r.measured.cpu} (${r.measured.cores} cores, load average ${r.measured.loadavg} at start), Node ${r.measured.node}.`,
      '',
    );
  const photo = r.errors.find((e) => e.method === 'photo');
  L.push(
    `Soft-band colour error on ${r.composites.n} held-out composites whose true foreground colour is known by construction ` +
      '(`smat_model/data/make_foreground_composites.py`: held-out DUTS-TR cut-outs, 70% with synthetic hair strands, on held-out BSDS500 backgrounds with 1-2 other cut-outs; 512x512). ' +
      'Mean |RGB - true foreground| on 0..255, over the three channels and the pixels with 0.05 < true alpha < 0.95' +
      `${photo ? ` (${photo.pixels} pixels)` : ''}. Model alpha: our model with a box prompt (the true alpha's bounding box), stored as 8 bits like the cut-out. ` +
      "The cut-out keeps the photo's colour wherever its alpha is 0 or 1, so with the model's alpha the pixels it calls opaque or transparent keep the photo's error. " +
      '"On a new background": mean |cut-out over C - true subject over C| in the same band, C = black and white (averaged); it also counts the error of the alpha itself.',
    '',
  );
  L.push(
    '| Alpha | Colour | Soft-band colour error | vs photo | On a new background | vs photo | ms / image (512²) |',
    '|---|---|---:|---:|---:|---:|---:|',
  );
  for (const e of r.errors) {
    const base = r.errors.find((x) => x.method === 'photo' && x.alpha === e.alpha);
    const rel = (v: number, b: number | undefined) =>
      b && e.method !== 'photo' ? `${((100 * v) / b).toFixed(0)}%` : '';
    L.push(
      `| ${e.alpha} | ${e.label} | ${e.meanAbs.toFixed(2)} | ${rel(e.meanAbs, base?.meanAbs)} | ${e.onNewBackground.toFixed(2)} | ${rel(e.onNewBackground, base?.onNewBackground)} | ${e.method === 'photo' ? '' : e.msPerImage.toFixed(0)} |`,
    );
  }
  if (r.modelAlphaBandError !== null)
    L.push(
      '',
      `Our model's alpha is off by ${r.modelAlphaBandError.toFixed(3)} on average (mean |alpha - true alpha|) in the same band.`,
    );
  if (r.byKind?.length) {
    L.push(
      '',
      "With the model's alpha, per kind of composite (shipped estimator). A subject made semi-transparent as a whole puts all its area in the soft band, where the model's alpha is mostly 1 (it does not see that the subject is faded), and the estimator leaves opaque pixels as they are:",
      '',
      '| Composites | n | Soft-band pixels | Photo | Estimator | vs photo | Alpha error in the band |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const k of r.byKind)
      L.push(
        `| ${k.kind} | ${k.composites} | ${k.pixels} | ${k.photo.toFixed(2)} | ${k.estimator.toFixed(2)} | ${((100 * k.estimator) / k.photo).toFixed(0)}% | ${k.alphaBandError.toFixed(3)} |`,
      );
  }
  if (r.modelSkipped) L.push('', `Model alpha not measured: ${r.modelSkipped}.`);
  L.push('');
  L.push(
    "Speed (no onnxruntime involved): a synthetic square photo with a wavy soft-edged subject (soft band about 4% of the pixels, like our model's alpha brought up to full resolution; `bench/foreground-speed-input.ts`). " +
      `Median of ${r.speed.node[0]?.runs ?? '?'} runs after a warm-up. "Cut-out" is \`applyAlphaAsCutout\`, what Apply computes before the PNG encode, without and with decontamination.`,
    '',
  );
  L.push('| Where | Photo | Estimator | Cut-out, off | Cut-out, on |', '|---|---|---:|---:|---:|');
  const rows = (where: string, list: ForegroundTiming[] | null) => {
    for (const t of list ?? [])
      L.push(
        `| ${where} | ${t.size}x${t.size} | ${ms(t.estimateMs)} | ${ms(t.cutoutMs)} | ${ms(t.cutoutDecontaminatedMs)} |`,
      );
  };
  rows('Node', r.speed.node);
  rows(`Headless Chromium${r.speed.chromiumVersion ? ` ${r.speed.chromiumVersion}` : ''}`, r.speed.chromium);
  if (r.speed.chromiumSkipped) L.push('', `Chromium not measured: ${r.speed.chromiumSkipped}.`);
  L.push('');
  return L;
}
