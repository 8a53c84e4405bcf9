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

export async function measurePluginPath(opts: {
  uiHtml?: string;
  photoBytes: Uint8Array;
  width: number;
  height: number;
  prompts: Prompt[];
  runs?: number;
  timeoutMs?: number;
  log?: (s: string) => void;
}): Promise<PluginPathResult> {
  const uiHtml = opts.uiHtml ?? 'dist/ui.html';
  const log = opts.log ?? (() => {});
  if (!fs.existsSync(uiHtml)) return { ms: null, reason: `${uiHtml} does not exist (build the UI first)` };
  if (!fs.existsSync(CHROMIUM)) return { ms: null, reason: `no Chromium at ${CHROMIUM}` };
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const runs = opts.runs ?? 5;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
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
        return route.fulfill({ status: asset ? 200 : 404, contentType: 'application/json', body: JSON.stringify(asset ?? {}) });
      }
      if (u.pathname === '/photo') return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(opts.photoBytes) });
      return route.fulfill({ status: 200, contentType: 'text/html', body: HARNESS });
    });
    await page.goto('http://bench.local/');
    await page.evaluate(() => (window as any).__load());
    await page.evaluate(() => (window as any).__loadPhoto());
    const waitFor = async (pred: string, since: number, ms: number) =>
      page.waitForFunction(
        ([p, s]) => (window as any).__msgs.find((x: any) => x.t >= (s as number) && (p as string).split('|').includes(x.m.type)) ?? null,
        [pred, since],
        { timeout: ms, polling: 50 },
      ).then((h) => h.jsonValue() as Promise<{ t: number; m: { type: string; message: string | null; bytes: number } }>);
    try {
      await waitFor('ui-ready', 0, 60_000);
    } catch {
      return { ms: null, reason: 'the UI did not post ui-ready within 60 s' };
    }
    const times: number[] = [];
    const previews: number[] = [];
    let backend: string | undefined;
    let lastUiTimings: string | undefined;
    // Reads the iframe's state: [data-testid=status] carries data-phase (review = preview ready).
    const phaseOf = () =>
      page.evaluate(() => {
        const doc = (document.getElementById('ui') as HTMLIFrameElement).contentDocument;
        const st = doc?.querySelector('[data-testid=status]') as HTMLElement | null;
        const be = doc?.querySelector('[data-testid=backend]') as HTMLElement | null;
        const tm = doc?.querySelector('[data-testid=timings]') as HTMLElement | null;
        return { phase: st?.dataset.phase ?? null, backend: be?.innerText ?? null, timings: tm?.innerText?.replace(/\s+/g, ' ').trim() ?? null, t: performance.now() };
      });
    // run 0 is the warm-up (model load, first inference); then `runs` measured jobs, each a new image hash
    for (let k = 0; k <= runs; k++) {
      const jobId = `bench-${k}`;
      // the photo bytes are already in the page: t0 is taken in the page right before postMessage
      const t0: number = await page.evaluate(
        ([job]) => (window as any).__post(job),
        [
          {
            type: 'job',
            jobId,
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
      // 1) until the preview is ready (phase review) or the job failed
      const limit = k === 0 ? timeoutMs : Math.min(timeoutMs, 120_000);
      let tReview = NaN;
      let uiTimings: string | null = null;
      const deadline = Date.now() + limit;
      for (;;) {
        const st = await phaseOf();
        const failed = await page.evaluate((s) => (window as any).__msgs.find((x: any) => x.t >= s && x.m.type === 'failed') ?? null, t0);
        if (failed) return { ms: null, reason: `the UI reported failure: ${failed.m.message}` };
        if (st.phase === 'review') {
          tReview = st.t;
          backend = st.backend ?? backend;
          uiTimings = st.timings;
          break;
        }
        if (st.phase === 'failed' || st.phase === 'error') return { ms: null, reason: `the UI is in phase ${st.phase}` };
        if (Date.now() > deadline) return { ms: null, reason: `no preview (phase review) within ${limit / 1000} s after a job; last phase ${st.phase}` };
        await new Promise((r) => setTimeout(r, 20));
      }
      // 2) click Apply (composite + PNG encode) and wait for the apply message
      // a DOM click (no Playwright actionability waits inside the measurement)
      const tClick = await page.evaluate(() => {
        const doc = (document.getElementById('ui') as HTMLIFrameElement).contentDocument!;
        const t = performance.now();
        (doc.querySelector('[data-testid=apply]') as HTMLButtonElement).click();
        return t;
      });
      let res;
      try {
        res = await waitFor('apply|failed', tClick, 60_000);
      } catch {
        return { ms: null, reason: 'no apply message within 60 s after clicking Apply' };
      }
      if (res.m.type === 'failed') return { ms: null, reason: `the UI reported failure: ${res.m.message}` };
      const preview = tReview - t0;
      const ms = preview + (res.t - tClick);
      log(`  plugin path run ${k}${k === 0 ? ' (warm-up, includes model load)' : ''}: preview ${preview.toFixed(0)} ms, + apply ${(res.t - tClick).toFixed(0)} ms, PNG ${res.m.bytes} bytes${uiTimings ? `; UI timings: ${uiTimings}` : ''}`);
      if (uiTimings) lastUiTimings = uiTimings;
      if (k > 0) {
        times.push(ms);
        previews.push(preview);
      }
      // play the sandbox: the node was written, the batch is over
      await page.evaluate(([id]) => {
        (window as any).__post({ type: 'applied', jobId: id, newNodeId: `9:${id}` });
        (window as any).__post({ type: 'done' });
      }, [jobId]);
      await new Promise((r) => setTimeout(r, 200));
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
    return { ms: med(times), previewMs: med(previews), runs: times, photo: `${opts.width}x${opts.height}`, backend, uiTimings: lastUiTimings };
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
    prompts: [{ kind: 'box', x: img.width * 0.2, y: img.height * 0.15, width: img.width * 0.6, height: img.height * 0.7 }],
    log: console.log,
  });
  console.log(JSON.stringify(r, null, 2));
}
