// Creates the panel's SmatRunners on onnxruntime-web, from the bytes the sandbox streamed. Two ORT
// builds, each with its own WASM binary (the "runtime" asset) that the sandbox streams over
// (ui/asset-receiver.ts): the WASM-only one (`onnxruntime-web/wasm`, 14 MB
// raw) where the page has no WebGPU - always the case in a `data:` URL iframe, which is how Figma
// hosts the UI - and the WebGPU one (`onnxruntime-web/webgpu`, whose asyncify binary carries both
// the WebGPU and the WASM execution providers, 27 MB raw) only where WebGPU can run. We hand ORT the
// bytes, so nothing is fetched (wasmPaths/import.meta.url do not resolve inside an inlined bundle).
import * as ortWasmOnly from 'onnxruntime-web/wasm';
import * as ortWebgpu from 'onnxruntime-web/webgpu';
import type { AssetName } from '../core/messages';
import { SmatRunner, type OrtModuleLike } from '../core/smat-runner';
import type { ArrivingGraphs, SmatModelConfig } from '../core/model-config';
import { errorMessage } from '../core/errors';
import { executionProviders, type Backend } from './backend';
import type { RunnerFactory, RunnerHandle } from './fallback-runner';

export type RuntimeAsset = Extract<AssetName, 'ort-wasm' | 'ort-wasm-webgpu'>;

/** The runtime binary a backend needs: the WebGPU build also runs the WASM fallback. */
export function runtimeAssetFor(backend: Backend): RuntimeAsset {
  return backend === 'webgpu' ? 'ort-wasm-webgpu' : 'ort-wasm';
}

export interface ModelBytes {
  /** Which binary `wasm` is: it must be paired with its own ORT build. */
  runtime: RuntimeAsset;
  wasm: Uint8Array;
  /** Each session is created once its graph is in: the first while the others still stream. */
  graphs: ArrivingGraphs;
  config: SmatModelConfig;
}

/** The GPU device only ever exists in the WebGPU build's env. */
const ort = ortWebgpu;

let configured = false;

function configure(runtime: RuntimeAsset, wasm: Uint8Array): typeof ortWebgpu {
  const module = runtime === 'ort-wasm-webgpu' ? ortWebgpu : (ortWasmOnly as typeof ortWebgpu);
  if (configured) return module;
  configured = true;
  module.env.wasm.wasmBinary = wasm;
  // No SharedArrayBuffer in the plugin iframe (not cross-origin isolated): one thread, no worker.
  module.env.wasm.numThreads = 1;
  module.env.wasm.proxy = false;
  module.env.logLevel = 'error';
  return module;
}

/** Resolves when the WebGPU device ORT created is lost (driver reset, tab in background, destroy()). */
async function deviceLost(): Promise<string> {
  const device = (await ort.env.webgpu.device) as unknown as
    | { lost?: Promise<{ reason?: string; message?: string }> }
    | undefined;
  if (!device?.lost) return new Promise<string>(() => {});
  const info = await device.lost;
  return info?.message || info?.reason || 'device lost';
}

/** Test/diagnostic hook: destroys ORT's GPU device to simulate a lost device. */
export async function destroyGpuDeviceForTesting(): Promise<boolean> {
  try {
    const device = (await ort.env.webgpu.device) as unknown as { destroy?: () => void } | undefined;
    device?.destroy?.();
    return !!device?.destroy;
  } catch {
    return false;
  }
}

/**
 * The smallest graph ORT loads (y = Identity(x), one float, opset 17), serialized. Creating a session
 * on it is the one public way to make ORT compile and instantiate its WASM binary.
 */
export const IDENTITY_GRAPH = new Uint8Array([
  8, 8, 18, 0, 58, 55, 10, 16, 10, 1, 120, 18, 1, 121, 34, 8, 73, 100, 101, 110, 116, 105, 116, 121, 18, 1, 103, 90, 15,
  10, 1, 120, 18, 10, 10, 8, 8, 1, 18, 4, 10, 2, 8, 1, 98, 15, 10, 1, 121, 18, 10, 10, 8, 8, 1, 18, 4, 10, 2, 8, 1, 66,
  4, 10, 0, 16, 17,
]);

/**
 * Starts ORT's runtime from its binary while the graphs are still on their way: compiling the
 * binary is then done by the time the sessions are created, instead of before the first of them.
 */
export async function startRuntime(runtime: RuntimeAsset, wasm: Uint8Array): Promise<void> {
  const module = configure(runtime, wasm);
  const session = await module.InferenceSession.create(IDENTITY_GRAPH, { executionProviders: ['wasm'] });
  await session.release();
}

export function webRunnerFactory(bytes: ModelBytes): RunnerFactory {
  const module = configure(bytes.runtime, bytes.wasm);
  return async (backend: Backend): Promise<RunnerHandle> => {
    if (backend === 'webgpu' && bytes.runtime !== 'ort-wasm-webgpu') {
      throw new Error('this build carries only the WASM runtime');
    }
    const runner = await SmatRunner.create({
      ort: module as unknown as OrtModuleLike,
      graphs: bytes.graphs,
      config: bytes.config,
      sessionOptions: { executionProviders: executionProviders(backend), graphOptimizationLevel: 'all' },
      // For the harness's timings (test/e2e/figma-plugin-run.ts); no effect otherwise.
      onSessionMade: (role) => performance.mark(`smat:session-made:${role}`),
    });
    // For the harness's timings (test/e2e/figma-plugin-run.ts); no effect otherwise.
    void runner.loaded().then(
      () => performance.mark('smat:sessions-made'),
      () => {},
    );
    const handle: RunnerHandle = { runner };
    if (backend === 'webgpu') {
      handle.lost = deviceLost().catch((err) => `device error: ${errorMessage(err)}`);
    }
    return handle;
  };
}
