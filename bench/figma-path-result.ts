// What `npm run bench:figma` writes to bench/figma-path.json: the medians the issue asks for, the
// machine's load with every sample (a 2-core machine shared with training jobs makes noisy times),
// and the samples themselves.
import os from 'node:os';
import { median } from './timing';
import type { Sample, SessionTimes } from './figma-plugin-session';
import type { PeerTimes } from './wasm-peers-on-photo';

export interface FigmaPathResult {
  date: string;
  /** The code.js / ui.html measured. */
  build: string;
  photo: string;
  hosting: string;
  /** Plugin sessions (one cold start each) and peer runs per method. */
  runs: number;
  /** Command -> first matte on screen (a fresh plugin: code.js, assets, sessions, the first job). */
  coldMs: number;
  /** A new photo with the model loaded: the panel's button, pressed as the photo is selected -> matte on screen. */
  warmMs: number;
  /**
   * The same, the button pressed PREPARE_MS after the photo was selected (the panel encodes it
   * meanwhile); null in results written before it was measured.
   */
  preparedMs: number | null;
  /** A box moved on the same photo: the panel's button -> matte on screen (the encoder's output reused). */
  repromptMs: number;
  /** The same jobs as warmMs and repromptMs: the button -> the runner's coarse matte on screen (or the matte, if none showed first). */
  warmPreviewMs: number;
  preparedPreviewMs: number | null;
  repromptPreviewMs: number;
  /** Apply -> the node written (composite, PNG encode, the bytes to the sandbox, write-back). */
  applyMs: number;
  /** IS-Net and SAM on onnxruntime-web WASM (one thread) on the same photo, new photo each; null if skipped. */
  isnetWasmMs: number | null;
  samWasmMs: number | null;
  cores: number;
  cpu: string;
  /** os.loadavg() (1, 5, 15 min) when the bench started and when it ended. */
  loadavg: { start: number[]; end: number[] };
  /** Medians of the cold start's parts. */
  coldParts: Record<string, number>;
  /**
   * Medians of the panel's own stage times for the warm jobs, with its trace's modelStart (the
   * photo decoded, or a kept decode reused) and previewMade (ms since the panel started the job).
   */
  warmStages: Record<string, number>;
  /** The same for the prepared new photos and the re-prompts. */
  preparedStages: Record<string, number>;
  repromptStages: Record<string, number>;
  /** Medians of the Applies' parts (SessionTimes.applyStages). */
  applyStages: Record<string, number>;
  backend: string;
  samples: Record<
    | 'coldMs'
    | 'warmMs'
    | 'preparedMs'
    | 'repromptMs'
    | 'warmPreviewMs'
    | 'preparedPreviewMs'
    | 'repromptPreviewMs'
    | 'applyMs'
    | 'isnetWasmMs'
    | 'samWasmMs',
    Sample[]
  >;
}

const round = (ms: number) => Math.round(ms);
const medianOf = (samples: Sample[]) => round(median(samples.map((s) => s.ms)));

function medians(records: Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, round(median(records.map((r) => r[k]).filter(Number.isFinite)))]));
}

export function summarise(opts: {
  build: string;
  photo: string;
  sessions: SessionTimes[];
  peers: PeerTimes | null;
  loadAtStart: number[];
}): FigmaPathResult {
  const { sessions, peers } = opts;
  const whole = (list: Sample[]) => list.map((s) => ({ ms: round(s.ms), load1: s.load1 }));
  const samples = {
    coldMs: whole(sessions.map((s) => s.cold)),
    warmMs: whole(sessions.flatMap((s) => s.warm)),
    preparedMs: whole(sessions.flatMap((s) => s.prepared)),
    repromptMs: whole(sessions.flatMap((s) => s.reprompt)),
    warmPreviewMs: whole(sessions.flatMap((s) => s.warmPreview)),
    preparedPreviewMs: whole(sessions.flatMap((s) => s.preparedPreview)),
    repromptPreviewMs: whole(sessions.flatMap((s) => s.repromptPreview)),
    applyMs: whole(sessions.flatMap((s) => s.apply)),
    isnetWasmMs: whole(peers?.isnet ?? []),
    samWasmMs: whole(peers?.sam ?? []),
  };
  return {
    date: new Date().toISOString(),
    build: opts.build,
    photo: opts.photo,
    hosting:
      'ui.html as a data: URL iframe in headless Chromium, code.js in QuickJS, onnxruntime-web WASM on one thread',
    runs: sessions.length,
    coldMs: medianOf(samples.coldMs),
    warmMs: medianOf(samples.warmMs),
    preparedMs: samples.preparedMs.length ? medianOf(samples.preparedMs) : null,
    repromptMs: medianOf(samples.repromptMs),
    warmPreviewMs: medianOf(samples.warmPreviewMs),
    preparedPreviewMs: samples.preparedPreviewMs.length ? medianOf(samples.preparedPreviewMs) : null,
    repromptPreviewMs: medianOf(samples.repromptPreviewMs),
    applyMs: medianOf(samples.applyMs),
    isnetWasmMs: peers ? medianOf(samples.isnetWasmMs) : null,
    samWasmMs: peers ? medianOf(samples.samWasmMs) : null,
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    loadavg: { start: opts.loadAtStart, end: os.loadavg() },
    coldParts: medians(sessions.map((s) => s.coldParts)),
    warmStages: medians(sessions.flatMap((s) => s.warmStages)),
    preparedStages: medians(sessions.flatMap((s) => s.preparedStages)),
    repromptStages: medians(sessions.flatMap((s) => s.repromptStages)),
    applyStages: medians(sessions.flatMap((s) => s.applyStages)),
    backend: sessions[0]?.backend ?? '',
    samples,
  };
}
