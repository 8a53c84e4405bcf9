// One plugin run the way Figma does it: a menu command evaluates dist/code.js in a fresh QuickJS VM
// with `figma` bridged to the typed fake, its figma.showUI(__html__) puts dist/ui.html in a fresh
// iframe (data: URL or sandboxed srcdoc) in headless Chromium, and messages flow between the two.
// Every message is time-stamped from the moment the command started.
import type { Browser, Frame } from 'playwright-core';
import { FakePluginHost } from '../fake-figma/fake-plugin-host';
import { runPluginInQuickJs, type PluginVm } from '../figma-sandbox/run-plugin-in-quickjs';
import { openFigmaUiHost, type FigmaUiHost, type UiHosting } from './figma-ui-host-page';
import type { PluginUiGlobals } from './page-globals';

export interface LoggedMessage {
  /** 'sandbox→ui' or 'ui→sandbox'. */
  dir: 'sandbox→ui' | 'ui→sandbox';
  /** ms since the command started. */
  t: number;
  msg: { type: string; [key: string]: unknown };
}

export interface ModelReady {
  status: string;
  error: string | null;
  /** ms since the command started, as seen from Node (50 ms polling): the encoder's session is made. */
  t: number;
}

/** In the page's own clock, from its asking for the assets (ms); NaN for what has not happened yet. */
export interface ModelLoadMarks {
  /** The last graph unpacked. */
  graphsInMs: number;
  /** Every session made (the runner starts with the encoder's). */
  allSessionsMs: number;
  /** The encoder's graph in. */
  encoderInMs: number;
  /** The encoder's session made. */
  encoderSessionMs: number;
}

export interface PluginRun {
  host: FakePluginHost;
  vm: PluginVm;
  ui: FigmaUiHost;
  log: LoggedMessage[];
  /** ms since the command started. */
  now(): number;
  waitFor(pred: (m: LoggedMessage) => boolean, what: string, timeoutMs?: number): Promise<LoggedMessage>;
  /** Waits until the panel's model is ready (or failed); returns its status and when it was seen. */
  waitForModel(timeoutMs?: number): Promise<ModelReady>;
  /** When the panel had the graphs in and all sessions made; read after the first matte. */
  loadMarks(): Promise<ModelLoadMarks>;
  frame: Frame;
  close(): Promise<void>;
}

export async function startPluginRun(opts: {
  browser: Browser;
  hosting: UiHosting;
  command: string;
  code: string;
  html: string;
  /** Builds the document and the selection before the command runs. */
  scene: (host: FakePluginHost) => void;
  /** How long the UI may take to start in its iframe (default 60 s). */
  uiStartTimeoutMs?: number;
}): Promise<PluginRun> {
  const log: LoggedMessage[] = [];
  const waiters: Array<(m: LoggedMessage) => boolean> = [];
  let t0 = 0;
  const now = () => performance.now() - t0;
  const record = (dir: LoggedMessage['dir'], msg: unknown) => {
    const entry: LoggedMessage = { dir, t: now(), msg: msg as LoggedMessage['msg'] };
    log.push(entry);
    for (const w of waiters.splice(0)) if (!w(entry)) waiters.push(w);
  };

  let vm: PluginVm | null = null;
  const early: unknown[] = [];
  const ui = await openFigmaUiHost(opts.browser, opts.hosting, (msg) => {
    record('ui→sandbox', msg);
    if (vm) vm.fromUi(msg);
    else early.push(msg);
  });
  const host = new FakePluginHost(opts.command, {
    showUI: (html) => ui.showUi(html),
    toUi: (msg) => {
      record('sandbox→ui', msg);
      ui.toUi(msg);
    },
  });
  opts.scene(host);

  t0 = performance.now();
  vm = await runPluginInQuickJs(opts.code, opts.html, host);
  // The UI cannot answer before code.js's top level returned (one thread in Figma as here).
  for (const msg of early.splice(0)) vm.fromUi(msg);
  let frame: Frame;
  try {
    frame = await ui.pluginFrame(opts.uiStartTimeoutMs);
  } catch (error) {
    await ui.close();
    vm.dispose();
    throw error;
  }

  const run: PluginRun = {
    host,
    vm,
    ui,
    log,
    now,
    frame,
    waitFor(pred, what, timeoutMs = 300_000) {
      const hit = log.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${what}; log: ${summary(log)}`)),
          timeoutMs,
        );
        waiters.push((m) => {
          if (!pred(m)) return false;
          clearTimeout(timer);
          resolve(m);
          return true;
        });
      });
    },
    async waitForModel(timeoutMs = 300_000) {
      await frame.waitForFunction(
        () => (window as unknown as PluginUiGlobals).__smat?.state.model.status !== 'loading',
        null,
        {
          timeout: timeoutMs,
          polling: 50,
        },
      );
      const t = now();
      const model = await frame.evaluate(() => (window as unknown as PluginUiGlobals).__smat!.state.model);
      return { status: model.status, error: model.error, t };
    },
    loadMarks() {
      // No local functions in here: tsx (the bench) would wrap them in a helper the page lacks.
      return frame.evaluate(() => {
        const requested = performance.getEntriesByName('smat:assets-requested')[0]?.startTime ?? NaN;
        const graphsIn = performance.getEntriesByName('smat:assets-received')[0]?.startTime ?? NaN;
        const sessions = performance.getEntriesByName('smat:sessions-made')[0]?.startTime ?? NaN;
        const encoderIn = performance.getEntriesByName('smat:asset-in:encoder')[0]?.startTime ?? NaN;
        const encoderSession = performance.getEntriesByName('smat:session-made:encoder')[0]?.startTime ?? NaN;
        return {
          graphsInMs: graphsIn - requested,
          allSessionsMs: sessions - requested,
          encoderInMs: encoderIn - requested,
          encoderSessionMs: encoderSession - requested,
        };
      });
    },
    async close() {
      await ui.close();
      vm?.dispose();
    },
  };
  return run;
}

function summary(log: LoggedMessage[]): string {
  return log
    .slice(-12)
    .map((e) => `${e.dir} ${e.msg.type}${'message' in e.msg ? `(${String(e.msg.message)})` : ''}`)
    .join(', ');
}
