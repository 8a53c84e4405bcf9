// Entry of the plugin UI iframe (bundled into dist/ui.html by build.mjs).
import { render } from 'preact';
import type { SandboxToUi, UiToSandbox } from '../core/messages';
import { readAsset, readModelConfig } from './assets';
import { backendOverride, detectBackend, type GpuLike } from './backend';
import { App } from './app';
import { Controller } from './controller';
import { destroyGpuDeviceForTesting, ortRunnerFactory } from './ort-runtime';
import { browserDecodeForDisplay } from './preview';

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

const ctrl = new Controller({
  post,
  yieldToPaint,
  decodeForDisplay: browserDecodeForDisplay,
  detectBackend: () =>
    detectBackend({
      gpu: (navigator as Navigator & { gpu?: GpuLike }).gpu,
      isSecureContext: self.isSecureContext,
      force: backendOverride(document.querySelector('meta[name=smat-backend]')?.getAttribute('content')),
    }),
  loadModel: async (progress) => {
    progress(0.05, 'Unpacking the runtime…');
    await yieldToPaint();
    const wasm = await readAsset(document, 'ort-wasm');
    const config = readModelConfig(document);
    progress(0.25, 'Unpacking the model…');
    await yieldToPaint();
    const encoder = await readAsset(document, 'encoder');
    progress(0.55, 'Unpacking the model…');
    const head = await readAsset(document, 'head');
    return { factory: ortRunnerFactory({ wasm, encoder, head, config }) };
  },
});

window.addEventListener('message', (event: MessageEvent) => {
  const data = event.data as { pluginMessage?: SandboxToUi } | null;
  if (data && typeof data === 'object' && 'pluginMessage' in data) ctrl.onSandboxMessage(data.pluginMessage);
});

// Diagnostics for the playground and the e2e test (no effect on normal use).
(window as unknown as { __smat: unknown }).__smat = {
  get state() {
    return ctrl.state;
  },
  get trace() {
    return ctrl.trace;
  },
  destroyGpuDevice: destroyGpuDeviceForTesting,
};

render(<App ctrl={ctrl} />, document.getElementById('app')!);
void ctrl.start();
