// What the pages the e2e tests drive put on `window`, for `page.evaluate` callbacks to read as
// `(window as unknown as PluginUiGlobals).__smat` etc. Types only: those callbacks run in the
// browser, so they may use these casts (erased) but no value from this side.
// The playground page's `window.playground` is typed where it is defined
// (playground/playground-api.ts, a global `Window` declaration), so it needs no entry here.
import type { Controller } from '../../ui/controller';
import type { destroyGpuDeviceForTesting } from '../../ui/web-runner-factory';
import type { UiState } from '../../ui/state';
import type { UiHosting } from './figma-ui-host-page';

/** The plugin UI's diagnostics hook (ui/index.tsx), in the plugin iframe. */
export interface SmatDiagnostics {
  readonly state: UiState;
  /** [step, ms since the job arrived] for the current job. */
  readonly trace: Controller['trace'];
  /** The image the panel last encoded ahead of a run, as the designer selected it. */
  readonly preparedImageHash: Controller['preparedImageHash'];
  destroyGpuDevice: typeof destroyGpuDeviceForTesting;
}

/** The plugin iframe's window: `__smat` appears once the UI's script has run. */
export interface PluginUiGlobals {
  __smat?: SmatDiagnostics;
}

/** The page playing the Figma app around the plugin iframe (HOST_PAGE in figma-ui-host-page.ts). */
export interface FigmaHostGlobals {
  /** figma.showUI: `html` for a srcdoc iframe, `base64` (the same HTML) for a data: URL one. */
  __showUi(hosting: UiHosting, html: string, base64: string): void;
  /** figma.ui.postMessage: the message held by the relay under `id` (encodeMessage's format). */
  __toUi(id: number): Promise<void>;
}
