// Entry of the plugin UI iframe (bundled into dist/ui.html by build.mjs). The runtime and the model
// are not in that page: the sandbox streams them over (ui/asset-receiver.ts).
import { render } from 'preact';
import type { AssetName, SandboxToUi, UiToSandbox } from '../core/messages';
import { errorMessage } from '../core/errors';
import { byGraphRole, GRAPH_ROLES, parseModelConfig, type SmatModelConfig } from '../core/model-config';
import { AssetMissingError, AssetReceiver } from './asset-receiver';
import { backendLabel, backendOverride, detectBackend, type BackendChoice, type GpuLike } from './backend';
import { App } from './app';
import { Controller } from './controller';
import { resultPngInWorker } from './result-png-in-worker';
import { destroyGpuDeviceForTesting, runtimeAssetFor, startRuntime, webRunnerFactory } from './web-runner-factory';
import { browserDecodeForDisplay } from './preview';
import { warmUpImageCode } from './warm-up-image-code';

/** Figma delivers `{pluginMessage}` to the iframe and takes `{pluginMessage}` from it. */
function post(msg: UiToSandbox): void {
  parent.postMessage({ pluginMessage: msg }, '*');
}

function yieldToPaint(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    // rAF does not fire in hidden iframes: the timeout keeps us going there.
    requestAnimationFrame(() => setTimeout(finish, 0));
    setTimeout(finish, 50);
  });
}

/** Where each streamed asset's progress lands on the model progress bar (the encoder dominates). */
const PROGRESS_SPAN: Record<AssetName, [number, number, string]> = {
  'ort-wasm': [0.05, 0.2, 'Receiving the runtime…'],
  'ort-wasm-webgpu': [0.05, 0.2, 'Receiving the runtime…'],
  'model-config': [0.2, 0.2, 'Receiving the model…'],
  encoder: [0.2, 0.5, 'Receiving the model…'],
  saliency: [0.5, 0.55, 'Receiving the model…'],
  prompted: [0.55, 0.63, 'Receiving the model…'],
  decoder: [0.63, 0.645, 'Receiving the model…'],
  refiner: [0.645, 0.65, 'Receiving the model…'],
};

let reportProgress: (p: number, label: string) => void = () => {};
const receiver = new AssetReceiver(post, (name, index, count) => {
  const [from, to, label] = PROGRESS_SPAN[name];
  reportProgress(from + ((to - from) * (index + 1)) / count, label);
});

// Detected once: the backend decides which runtime binary to ask the sandbox for.
let backendChoice: Promise<BackendChoice> | null = null;
const chooseBackend = (): Promise<BackendChoice> =>
  (backendChoice ??= detectBackend({
    gpu: (navigator as Navigator & { gpu?: GpuLike }).gpu,
    isSecureContext: self.isSecureContext,
    force: backendOverride(document.querySelector('meta[name=smat-backend]')?.getAttribute('content')),
  }));

/** ui/result-png-worker.ts bundled, as text (build.mjs defines it). */
declare const RESULT_PNG_WORKER_SOURCE: string;

const ctrl = new Controller({
  post,
  yieldToPaint,
  resultPng: resultPngInWorker(RESULT_PNG_WORKER_SOURCE),
  decodeForDisplay: browserDecodeForDisplay,
  warmUp: warmUpImageCode,
  detectBackend: chooseBackend,
  loadModel: async (progress) => {
    reportProgress = progress;
    progress(0.05, 'Receiving the runtime…');
    // Marks for the harness's timings (test/e2e/figma-faithful.e2e.ts); no effect otherwise.
    performance.mark('smat:assets-requested');
    let runtime = runtimeAssetFor((await chooseBackend()).backend);
    const runtimeBytes = receiver.request([runtime])[runtime];
    // The prompted candidate's graph is asked for once the runtime is known (below).
    const firstGraphs = GRAPH_ROLES.filter((role) => role !== 'prompted');
    const models = receiver.request(['model-config', ...firstGraphs]);
    // Their failures are reported where they are awaited (the config here, a graph by its session);
    // the marks are for the harness's timings (test/e2e/figma-plugin-run.ts).
    for (const [name, pending] of Object.entries(models))
      pending.then(
        () => performance.mark(`smat:asset-in:${name}`),
        () => {},
      );
    let wasm: Uint8Array;
    try {
      wasm = await runtimeBytes;
    } catch (err) {
      // A build made for data: URL hosting carries only the WASM-only runtime (build.mjs); the
      // panel's runner then reports that WebGPU could not start and runs on WASM.
      if (!(err instanceof AssetMissingError) || runtime === 'ort-wasm') throw err;
      runtime = 'ort-wasm';
      wasm = await receiver.request([runtime])[runtime];
    }
    // On WASM the prompted candidate's graph is asked for, and its session made, only once a job
    // has prompts or the panel idles (Controller.promptedWanted): asked for with the rest, its
    // 4.5 MB were still on their way in while a cold Auto Matte's first matte showed and was
    // applied, and its session took the page's thread just as that matte could be applied.
    // WebGPU's start takes in every session, so there it is asked for at once.
    const askForPrompted = () => receiver.request(['prompted']).prompted;
    models.prompted = runtime === 'ort-wasm' ? ctrl.promptedWanted.then(askForPrompted) : askForPrompted();
    // A failure here is the sessions' failure too, and they report it.
    const runtimeStarted = startRuntime(runtime, wasm).catch(() => {});
    // The graphs go to the runner as they are still arriving: it creates each session once its
    // graph is in (the encoder's first, while the head's stream), after the runtime has started.
    const graphs = byGraphRole((role) => {
      const graph = runtimeStarted.then(() => models[role]);
      // A graph after a failed one is never awaited; its failure is that one's.
      graph.catch(() => {});
      return graph;
    });
    // The sessions of the graphs in so far are being made meanwhile; the last few after this.
    void Promise.all(firstGraphs.map((role) => models[role])).then(
      () => progress(0.7, `Starting ${backendLabel(runtime === 'ort-wasm' ? 'wasm' : 'webgpu')}…`),
      () => {},
    );
    void Promise.all(GRAPH_ROLES.map((role) => models[role])).then(
      () => performance.mark('smat:assets-received'),
      () => {},
    );
    const configBytes = await models['model-config'];
    let config: SmatModelConfig;
    try {
      config = parseModelConfig(JSON.parse(new TextDecoder().decode(configBytes)));
    } catch (err) {
      throw new Error(`the model configuration is corrupt (${errorMessage(err)})`);
    }
    return { factory: webRunnerFactory({ runtime, wasm, graphs, config }), config };
  },
});

window.addEventListener('message', (event: MessageEvent) => {
  const data = event.data as { pluginMessage?: SandboxToUi } | null;
  if (!data || typeof data !== 'object' || !('pluginMessage' in data)) return;
  const msg = data.pluginMessage;
  if (msg && typeof msg === 'object' && receiver.onMessage(msg)) return;
  ctrl.onSandboxMessage(msg);
});

// Diagnostics for the playground and the e2e test (no effect on normal use).
(window as unknown as { __smat: unknown }).__smat = {
  get state() {
    return ctrl.state;
  },
  get trace() {
    return ctrl.trace;
  },
  get preparedImageHash() {
    return ctrl.preparedImageHash;
  },
  destroyGpuDevice: destroyGpuDeviceForTesting,
};

render(<App ctrl={ctrl} />, document.getElementById('app')!);
void ctrl.start();
