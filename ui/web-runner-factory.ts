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
import type { ModelGraphs, SmatModelConfig } from '../core/model-config';
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
  graphs: ModelGraphs;
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
    });
    const handle: RunnerHandle = { runner };
    if (backend === 'webgpu') {
      handle.lost = deviceLost().catch((err) => `device error: ${errorMessage(err)}`);
    }
    return handle;
  };
}
