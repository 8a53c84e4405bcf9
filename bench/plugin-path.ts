// The plugin's whole path in headless Chromium: dist/ui.html is loaded as an srcdoc iframe (as
// Figma hosts it), a harness page plays the sandbox (posts a `job` with the encoded photo, as
// src/ would), waits for the preview (the UI's status reaches phase `review`), clicks Apply and
// times until the UI posts `apply` with the PNG. Inside the measurement: decode, pre-process,
// inference on onnxruntime-web (whatever backend the UI picks; headless Chromium with
// --disable-gpu has no WebGPU, so WASM), post-process, composite and PNG encode. Model load is
// excluded (one warm-up job first); each measured job has a new image hash (no feature cache).
//
// Returns { ms: null, reason } when it cannot run (no dist/ui.html, no Chromium, the UI waits for a
// click before sending `apply`, ...). Standalone: `npx tsx bench/plugin-path.ts [photo.jpg]`.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Prompt } from '../core/prompt-types';

import { CHROMIUM, CHROMIUM_ARGS } from '../tools/headless-chromium';
import { readAssetsPrelude } from '../tools/code-assets-prelude.mjs';
export { CHROMIUM, CHROMIUM_ARGS };

export interface PluginPathResult {
  ms: number | null;
  reason?: string;
  /** Job message to preview ready (phase review). */
  previewMs?: number;
  runs?: number[];
  photo?: string;
  backend?: string;
  /** The UI's own timings panel text after the last measured run. */
  uiTimings?: string;
}

const HARNESS = `<!doctype html><html><body><iframe id="ui" style="width:400px;height:600px"></iframe>
<script>
window.__msgs = [];
window.addEventListener('message', (e) => {
  const m = e.data && e.data.pluginMessage;
  if (m) window.__msgs.push({ t: performance.now(), m: { type: m.type, jobId: m.jobId ?? null, message: m.message ?? null, bytes: m.pngBytes ? m.pngBytes.length : 0 } });
  if (m && m.type === 'assets-request') window.__assets = (window.__assets || Promise.resolve()).then(() => streamAssets(m.names));
});
// The runtime and the model, as dist/code.js sends them (src/assets/stream-assets.ts).
async function streamAssets(names) {
  const ui = document.getElementById('ui').contentWindow;
  for (const name of names) {
    const res = await fetch('/assets/' + name);
    if (!res.ok) { ui.postMessage({ pluginMessage: { type: 'asset-missing', name } }, '*'); continue; }
    const { rawBytes, gzipBase64 } = await res.json();
    const size = 1 << 20, count = Math.max(1, Math.ceil(gzipBase64.length / size));
    for (let index = 0; index < count; index++) {
      const data = gzipBase64.slice(index * size, (index + 1) * size);
      ui.postMessage({ pluginMessage: { type: 'asset-chunk', name, index, count, rawBytes, data } }, '*');
    }
  }
}
window.__load = async () => {
  const html = await (await fetch('/ui.html')).text();
  document.getElementById('ui').srcdoc = html;
};
window.__loadPhoto = async () => {
  window.__photo = new Uint8Array(await (await fetch('/photo')).arrayBuffer());
  return window.__photo.length;
};
// Returns the time just before the message is posted; a job gets a copy of the photo bytes.
window.__post = (msg) => {
  if (msg.type === 'job') msg.imageBytes = window.__photo.slice();
  const t = performance.now();
  document.getElementById('ui').contentWindow.postMessage({ pluginMessage: msg, pluginId: 'bench' }, '*');
  return t;
};
</script></body></html>`;

/** What HARNESS's script puts on `window` (the casts below are erased: page.evaluate ships source). */
interface HarnessWindow {
  __load(): Promise<void>;
  __loadPhoto(): Promise<number>;
  __msgs: UiMessage[];
  __post(msg: unknown): number;
}

type Failure = { ms: null; reason: string };

export interface PluginPathOptions {
  uiHtml?: string;
  photoBytes: Uint8Array;
  width: number;
  height: number;
  prompts: Prompt[];
  runs?: number;
  timeoutMs?: number;
  log?: (s: string) => void;
}

/** The harness at http://bench.local/, the built UI, the assets code.js would stream and the photo. */
async function openHarness(browser: Browser, uiHtml: string, photoBytes: Uint8Array): Promise<Page> {
  const page = await browser.newPage();
  const ui = fs.readFileSync(uiHtml);
  // The assets are the first line of the code.js built next to ui.html (build.mjs).
  const codeJs = path.join(path.dirname(uiHtml), 'code.js');
  const code = fs.existsSync(codeJs) ? fs.readFileSync(codeJs, 'utf8') : '';
  const assets: Record<string, unknown> = readAssetsPrelude(code);
  await page.route('http://bench.local/**', (route) => {
    const u = new URL(route.request().url());
    if (u.pathname === '/ui.html') return route.fulfill({ status: 200, contentType: 'text/html', body: ui });
    if (u.pathname.startsWith('/assets/')) {
      const asset = assets[u.pathname.slice('/assets/'.length)];
      return route.fulfill({
        status: asset ? 200 : 404,
        contentType: 'application/json',
        body: JSON.stringify(asset ?? {}),
      });
    }
    if (u.pathname === '/photo')
      return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(photoBytes) });
    return route.fulfill({ status: 200, contentType: 'text/html', body: HARNESS });
  });
  await page.goto('http://bench.local/');
  await page.evaluate(() => (window as unknown as HarnessWindow).__load());
  await page.evaluate(() => (window as unknown as HarnessWindow).__loadPhoto());
  return page;
}

interface UiMessage {
  t: number;
  m: { type: string; message: string | null; bytes: number };
}

/** The first message the UI posted at or after `since` (page time) whose type is one of `types` (a|b). */
function waitForMessage(page: Page, types: string, since: number, ms: number): Promise<UiMessage> {
  return page
    .waitForFunction(
      ([p, s]) =>
        (window as unknown as HarnessWindow).__msgs.find(
          (x: UiMessage) => x.t >= (s as number) && (p as string).split('|').includes(x.m.type),
        ) ?? null,
      [types, since],
      { timeout: ms, polling: 50 },
    )
    .then((h) => h.jsonValue() as Promise<UiMessage>);
}

/** Reads the iframe's state: [data-testid=status] carries data-phase (review = preview ready). */
function readUiState(page: Page) {
  return page.evaluate(() => {
    const doc = (document.getElementById('ui') as HTMLIFrameElement).contentDocument;
    const st = doc?.querySelector('[data-testid=status]') as HTMLElement | null;
    const be = doc?.querySelector('[data-testid=backend]') as HTMLElement | null;
    const tm = doc?.querySelector('[data-testid=timings]') as HTMLElement | null;
    return {
      phase: st?.dataset.phase ?? null,
      // biome-ignore lint/performance/useDomNodeTextContent: the text as the panel shows it (CSS applied).
      backend: be?.innerText ?? null,
      // biome-ignore lint/performance/useDomNodeTextContent: as above.
      timings: tm?.innerText?.replace(/\s+/g, ' ').trim() ?? null,
      t: performance.now(),
    };
  });
}

/** Plays the sandbox sending job `k`; returns the page time right before postMessage. */
function postJob(page: Page, k: number, opts: PluginPathOptions): Promise<number> {
  // the photo bytes are already in the page: t0 is taken in the page right before postMessage
  return page.evaluate(
    ([job]) => (window as unknown as HarnessWindow).__post(job),
    [
      {
        type: 'job',
        jobId: `bench-${k}`,
        mode: opts.prompts.length ? 'prompts' : 'auto',
        index: 0,
        count: 1,
        nodeId: `1:${k}`,
        nodeName: 'bench photo',
        imageHash: `bench-hash-${k}`,
        imageBytes: null, // filled in the page
        width: opts.width,
        height: opts.height,
        prompts: opts.prompts,
      },
    ],
  );
}

interface Preview {
  tReview: number;
  backend: string | null;
  uiTimings: string | null;
}

/** Polls until the preview is ready (phase review), the job failed or `limitMs` ran out. */
async function waitForPreview(page: Page, t0: number, limitMs: number): Promise<Preview | Failure> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const st = await readUiState(page);
    const failed = await page.evaluate(
      (s) =>
        (window as unknown as HarnessWindow).__msgs.find((x: UiMessage) => x.t >= s && x.m.type === 'failed') ?? null,
      t0,
    );
    if (failed) return { ms: null, reason: `the UI reported failure: ${failed.m.message}` };
    if (st.phase === 'review') return { tReview: st.t, backend: st.backend, uiTimings: st.timings };
    if (st.phase === 'failed' || st.phase === 'error') return { ms: null, reason: `the UI is in phase ${st.phase}` };
    if (Date.now() > deadline)
      return {
        ms: null,
        reason: `no preview (phase review) within ${limitMs / 1000} s after a job; last phase ${st.phase}`,
      };
    await sleep(20);
  }
}

/** Clicks Apply (composite + PNG encode) and waits for the apply message. */
async function applyPreview(page: Page): Promise<{ tClick: number; applied: UiMessage } | Failure> {
  // a DOM click (no Playwright actionability waits inside the measurement)
  const tClick = await page.evaluate(() => {
    const doc = (document.getElementById('ui') as HTMLIFrameElement).contentDocument!;
    const t = performance.now();
    (doc.querySelector('[data-testid=apply]') as HTMLButtonElement).click();
    return t;
  });
  let applied: UiMessage;
  try {
    applied = await waitForMessage(page, 'apply|failed', tClick, 60_000);
  } catch {
    return { ms: null, reason: 'no apply message within 60 s after clicking Apply' };
  }
  if (applied.m.type === 'failed') return { ms: null, reason: `the UI reported failure: ${applied.m.message}` };
  return { tClick, applied };
}

/** Plays the sandbox: the node was written, the batch is over. */
async function finishBatch(page: Page, jobId: string): Promise<void> {
  await page.evaluate(
    ([id]) => {
      (window as unknown as HarnessWindow).__post({ type: 'applied', jobId: id, newNodeId: `9:${id}` });
      (window as unknown as HarnessWindow).__post({ type: 'done' });
    },
    [jobId],
  );
  await sleep(200);
}

interface JobTimes {
  previewMs: number;
  applyMs: number;
  pngBytes: number;
  backend: string | null;
  uiTimings: string | null;
}

/** One job from the sandbox's message to the UI's `apply`, through a click on Apply; the batch stays open. */
async function measureJob(
  page: Page,
  k: number,
  opts: PluginPathOptions,
  timeoutMs: number,
): Promise<JobTimes | Failure> {
  const t0 = await postJob(page, k, opts);
  // the warm-up includes the model load, so only it gets the whole timeout
  const preview = await waitForPreview(page, t0, k === 0 ? timeoutMs : Math.min(timeoutMs, 120_000));
  if ('reason' in preview) return preview;
  const apply = await applyPreview(page);
  if ('reason' in apply) return apply;
  return {
    previewMs: preview.tReview - t0,
    applyMs: apply.applied.t - apply.tClick,
    pngBytes: apply.applied.m.bytes,
    backend: preview.backend,
    uiTimings: preview.uiTimings,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** Run 0 is the warm-up (model load, first inference); then `runs` measured jobs, each a new image hash. */
async function measureJobs(
  page: Page,
  opts: PluginPathOptions,
  runs: number,
  timeoutMs: number,
): Promise<PluginPathResult> {
  const log = opts.log ?? (() => {});
  const times: number[] = [];
  const previews: number[] = [];
  let backend: string | undefined;
  let lastUiTimings: string | undefined;
  for (let k = 0; k <= runs; k++) {
    const job = await measureJob(page, k, opts, timeoutMs);
    if ('reason' in job) return job;
    backend = job.backend ?? backend;
    const ms = job.previewMs + job.applyMs;
    log(
      `  plugin path run ${k}${k === 0 ? ' (warm-up, includes model load)' : ''}: preview ${job.previewMs.toFixed(0)} ms, + apply ${job.applyMs.toFixed(0)} ms, PNG ${job.pngBytes} bytes${job.uiTimings ? `; UI timings: ${job.uiTimings}` : ''}`,
    );
    if (job.uiTimings) lastUiTimings = job.uiTimings;
    if (k > 0) {
      times.push(ms);
      previews.push(job.previewMs);
    }
    await finishBatch(page, `bench-${k}`);
  }
  return {
    ms: median(times),
    previewMs: median(previews),
    runs: times,
    photo: `${opts.width}x${opts.height}`,
    backend,
    uiTimings: lastUiTimings,
  };
}

export async function measurePluginPath(opts: PluginPathOptions): Promise<PluginPathResult> {
  const uiHtml = opts.uiHtml ?? 'dist/ui.html';
  if (!fs.existsSync(uiHtml)) return { ms: null, reason: `${uiHtml} does not exist (build the UI first)` };
  if (!fs.existsSync(CHROMIUM)) return { ms: null, reason: `no Chromium at ${CHROMIUM}` };
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await openHarness(browser, uiHtml, opts.photoBytes);
    try {
      await waitForMessage(page, 'ui-ready', 0, 60_000);
    } catch {
      return { ms: null, reason: 'the UI did not post ui-ready within 60 s' };
    }
    return await measureJobs(page, opts, opts.runs ?? 5, opts.timeoutMs ?? 180_000);
  } finally {
    await browser.close();
  }
}

// Standalone use
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { DEFAULT_DATA_DIR } = await import('./data');
  const photo = process.argv[2] ?? path.join(DEFAULT_DATA_DIR, 'images', '0023.jpg');
  const { decodeImage } = await import('../core/image-codecs');
  const bytes = new Uint8Array(fs.readFileSync(photo));
  const img = decodeImage(bytes);
  const r = await measurePluginPath({
    photoBytes: bytes,
    width: img.width,
    height: img.height,
    prompts: [
      { kind: 'box', x: img.width * 0.2, y: img.height * 0.15, width: img.width * 0.6, height: img.height * 0.7 },
    ],
    log: console.log,
  });
  console.log(JSON.stringify(r, null, 2));
}
