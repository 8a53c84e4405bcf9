// Plays the Figma app's part around the plugin UI in headless Chromium: one page that shows
// dist/ui.html in an iframe - as a `data:` URL (what plugin authors report Figma does; not a
// secure context, Chromium caps such URLs at ~2 MB) or as a sandboxed `srcdoc` - and relays
// messages between that iframe and the plugin code running in QuickJS in Node. Every network
// request is aborted and recorded: the plugin must make none.
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import type { FigmaHostGlobals, PluginUiGlobals } from './page-globals';

export type UiHosting = 'data-url' | 'srcdoc';

/** Uint8Array <-> base64 inside JSON, for crossing the DevTools protocol. */
export function toWire(message: unknown): string {
  return JSON.stringify(message, (_key, v: unknown) =>
    v instanceof Uint8Array ? { __b64: Buffer.from(v).toString('base64') } : v,
  );
}

export function fromWire(json: string): unknown {
  return JSON.parse(json, (_key, v: unknown) => {
    if (v && typeof v === 'object' && '__b64' in v)
      return new Uint8Array(Buffer.from((v as { __b64: string }).__b64, 'base64'));
    return v;
  });
}

// The page's relay, in plain JS: the same wire format as toWire/fromWire.
const HOST_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Figma (harness)</title></head>
<body style="margin:0"><script>
function fromWire(json) {
  return JSON.parse(json, function (k, v) {
    if (v && typeof v === 'object' && '__b64' in v) {
      var bin = atob(v.__b64), out = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out;
    }
    return v;
  });
}
function toWire(value) {
  return JSON.stringify(value, function (k, v) {
    if (v instanceof Uint8Array) {
      var s = '';
      for (var i = 0; i < v.length; i += 0x8000) s += String.fromCharCode.apply(null, v.subarray(i, i + 0x8000));
      return { __b64: btoa(s) };
    }
    return v;
  });
}
window.__showUi = function (hosting, html, base64) {
  var iframe = document.createElement('iframe');
  iframe.id = 'plugin';
  iframe.style.cssText = 'width:420px;height:560px;border:0';
  if (hosting === 'data-url') {
    iframe.src = 'data:text/html;base64,' + base64;
  } else {
    iframe.setAttribute('sandbox', 'allow-scripts');
    iframe.srcdoc = html;
  }
  document.body.appendChild(iframe);
};
window.__toUi = function (json) {
  document.getElementById('plugin').contentWindow.postMessage({ pluginMessage: fromWire(json) }, '*');
};
window.addEventListener('message', function (event) {
  var iframe = document.getElementById('plugin');
  if (!iframe || event.source !== iframe.contentWindow) return;
  var data = event.data;
  if (data && typeof data === 'object' && 'pluginMessage' in data) window.__smatFromUi(toWire(data.pluginMessage));
});
</script></body></html>`;

export interface FigmaUiHost {
  page: Page;
  /** figma.showUI: puts the UI HTML in the iframe (returns at once; messages wait for it). */
  showUi(html: string): void;
  /** figma.ui.postMessage: delivered to the iframe in order. */
  toUi(message: unknown): void;
  /** The plugin's frame, once its script has run. */
  pluginFrame(timeoutMs?: number): Promise<Frame>;
  /** Requests anyone on the page tried (all aborted); must stay empty. */
  requests: string[];
  errors: string[];
  /**
   * ms spent relaying sandbox -> UI messages over the DevTools protocol so far (about 250 ms per MB
   * here): a cost of this harness, which Figma's in-page postMessage does not have.
   */
  relayMs(): number;
  close(): Promise<void>;
}

export async function openFigmaUiHost(
  browser: Browser,
  hosting: UiHosting,
  fromUi: (message: unknown) => void,
): Promise<FigmaUiHost> {
  const context: BrowserContext = await browser.newContext({ viewport: { width: 600, height: 700 } });
  const requests: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.exposeFunction('__smatFromUi', (json: string) => fromUi(fromWire(json)));
  await page.setContent(HOST_PAGE);

  // Calls from the sandbox are synchronous there; here they are queued so they keep their order.
  let chain: Promise<unknown> = Promise.resolve();
  const queue = (step: () => Promise<unknown>) => {
    chain = chain.then(step).catch((e: unknown) => errors.push(`host page: ${String(e)}`));
  };
  let frameReady: Promise<Frame> | null = null;
  let relayMs = 0;

  return {
    page,
    requests,
    errors,
    showUi(html: string) {
      const base64 = Buffer.from(html, 'utf8').toString('base64');
      queue(() =>
        page.evaluate(([h, kind, b64]) => (window as unknown as FigmaHostGlobals).__showUi(kind, h, b64), [
          hosting === 'srcdoc' ? html : '',
          hosting,
          hosting === 'data-url' ? base64 : '',
        ] as const),
      );
      // The UI posts 'ui-ready' from its first script; messages sent before its listener exists
      // would be lost, and the sandbox only ever answers the UI, so nothing waits here.
      frameReady = (async () => {
        await chain;
        const handle = await page.waitForSelector('#plugin');
        const frame = await handle.contentFrame();
        if (!frame) throw new Error('the plugin iframe has no document');
        return frame;
      })();
    },
    toUi(message: unknown) {
      const json = toWire(message);
      queue(async () => {
        const t = performance.now();
        await page.evaluate((j) => (window as unknown as FigmaHostGlobals).__toUi(j), json);
        relayMs += performance.now() - t;
      });
    },
    relayMs: () => relayMs,
    async pluginFrame(timeoutMs = 60_000) {
      if (!frameReady) throw new Error('figma.showUI was never called');
      const frame = await frameReady;
      try {
        await frame.waitForFunction(() => (window as unknown as PluginUiGlobals).__smat !== undefined, null, {
          timeout: timeoutMs,
          polling: 100,
        });
      } catch {
        throw new Error(
          `the UI never started in the ${hosting} iframe (it shows ${frame.url().slice(0, 60)}): a data: URL over ~2 MB is blocked`,
        );
      }
      return frame;
    },
    async close() {
      await chain;
      await context.close();
    },
  };
}
