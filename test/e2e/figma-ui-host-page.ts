// Plays the Figma app's part around the plugin UI in headless Chromium: one page that shows
// dist/ui.html in an iframe - as a `data:` URL (what plugin authors report Figma does; not a
// secure context, Chromium caps such URLs at ~2 MB) or as a sandboxed `srcdoc` - and relays
// messages between that iframe and the plugin code running in QuickJS in Node. Every network
// request but the harness's own relay is aborted and recorded: the plugin must make none.
// The page itself is served from loopback, so it is a secure context, as Figma's https page is.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import type { FigmaHostGlobals, PluginUiGlobals } from './page-globals';

export type UiHosting = 'data-url' | 'srcdoc';

/**
 * A message as one binary body: a 4-byte length, the JSON with every Uint8Array replaced by
 * {__bin: [offset, length]}, then those bytes. Figma hands messages between the sandbox and the
 * iframe in its own page, bytes as bytes; this keeps the harness's relay near that instead of
 * spending ~250 ms per MB on base64 inside DevTools-protocol JSON.
 */
export function encodeMessage(message: unknown): Buffer {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const json = JSON.stringify(message, (_key, v: unknown) => {
    if (!(v instanceof Uint8Array)) return v;
    parts.push(v);
    offset += v.length;
    return { __bin: [offset - v.length, v.length] };
  });
  const head = Buffer.from(json, 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32LE(head.length);
  return Buffer.concat([size, head, ...parts]);
}

export function decodeMessage(body: Uint8Array): unknown {
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const headLength = view.readUInt32LE(0);
  const bytesStart = 4 + headLength;
  return JSON.parse(view.subarray(4, bytesStart).toString('utf8'), (_key, v: unknown) => {
    if (v && typeof v === 'object' && '__bin' in v) {
      const [offset, length] = (v as { __bin: [number, number] }).__bin;
      return new Uint8Array(view.subarray(bytesStart + offset, bytesStart + offset + length));
    }
    return v;
  });
}

// The page's relay, in plain JS: the same format as encodeMessage/decodeMessage. Messages to the
// UI are fetched by id; messages from the UI are posted one after another, so they keep their order.
const HOST_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Figma (harness)</title></head>
<body style="margin:0"><script>
function decodeMessage(buffer) {
  var headLength = new DataView(buffer).getUint32(0, true), bytesStart = 4 + headLength;
  var json = new TextDecoder().decode(new Uint8Array(buffer, 4, headLength));
  return JSON.parse(json, function (k, v) {
    if (v && typeof v === 'object' && '__bin' in v) return new Uint8Array(buffer.slice(bytesStart + v.__bin[0], bytesStart + v.__bin[0] + v.__bin[1]));
    return v;
  });
}
function encodeMessage(value) {
  var parts = [], offset = 0;
  var json = JSON.stringify(value, function (k, v) {
    if (!(v instanceof Uint8Array)) return v;
    parts.push(v);
    offset += v.length;
    return { __bin: [offset - v.length, v.length] };
  });
  var head = new TextEncoder().encode(json), size = new Uint8Array(4);
  new DataView(size.buffer).setUint32(0, head.length, true);
  return new Blob([size, head].concat(parts));
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
window.__toUi = async function (id) {
  var buffer = await (await fetch('/to-ui/' + id)).arrayBuffer();
  document.getElementById('plugin').contentWindow.postMessage({ pluginMessage: decodeMessage(buffer) }, '*');
};
var fromUiChain = Promise.resolve();
window.addEventListener('message', function (event) {
  var iframe = document.getElementById('plugin');
  if (!iframe || event.source !== iframe.contentWindow) return;
  var data = event.data;
  if (!data || typeof data !== 'object' || !('pluginMessage' in data)) return;
  var body = encodeMessage(data.pluginMessage);
  fromUiChain = fromUiChain.then(function () { return fetch('/from-ui', { method: 'POST', body: body }); });
});
</script></body></html>`;

/**
 * The host page and its relay over loopback HTTP. Any other request it sees is recorded with the
 * page's requests: the plugin must make none.
 */
function startRelayServer(fromUi: (message: unknown) => void, requests: string[]) {
  const pending = new Map<number, Buffer>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HOST_PAGE);
      return;
    }
    const id = Number(/^\/to-ui\/(\d+)$/.exec(url)?.[1]);
    const body = req.method === 'GET' ? pending.get(id) : undefined;
    if (body) {
      pending.delete(id);
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
      return;
    }
    if (req.method === 'POST' && url === '/from-ui') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(204).end();
        fromUi(decodeMessage(Buffer.concat(chunks)));
      });
      return;
    }
    requests.push(`${req.method} ${url} (to the harness's relay)`);
    res.writeHead(404).end();
  });
  const listening = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
  let nextId = 0;
  return {
    listening,
    /** Keeps the message for the page to fetch; returns its id. */
    hold(message: unknown): number {
      const id = nextId++;
      pending.set(id, encodeMessage(message));
      return id;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Chromium may keep its keep-alive connection open, which close() would wait for.
        server.closeAllConnections();
      }),
  };
}

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
   * ms spent relaying sandbox -> UI messages so far (a DevTools call and a loopback fetch each): a
   * cost of this harness that Figma's in-page postMessage has only in part.
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
  const relay = startRelayServer(fromUi, requests);
  const relayOrigin = await relay.listening;
  await context.route(
    (url) => url.origin !== relayOrigin,
    (route) => {
      requests.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${relayOrigin}/`);

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
      const id = relay.hold(message);
      queue(async () => {
        const t = performance.now();
        await page.evaluate((i) => (window as unknown as FigmaHostGlobals).__toUi(i), id);
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
      await relay.close();
    },
  };
}
