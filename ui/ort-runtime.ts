// onnxruntime-web inside the plugin iframe. The WebGPU build's asyncify WASM binary carries both
// the WebGPU and the WASM execution providers; build.mjs inlines it and we hand ORT the bytes, so
// nothing is fetched (wasmPaths/import.meta.url do not resolve inside an inlined bundle).
import * as ort from 'onnxruntime-web/webgpu';
import { SmatRunner, type OrtModuleLike } from '../core/smat-runner';
import type { SmatModelConfig } from '../core/model-config';
import { executionProviders, messageOf, type Backend } from './backend';
import type { RunnerFactory, RunnerHandle } from './engine';

export interface ModelBytes {
  wasm: Uint8Array;
  encoder: Uint8Array;
  head: Uint8Array;
  config: SmatModelConfig;
}

let configured = false;

function configure(wasm: Uint8Array): void {
  if (configured) return;
  configured = true;
  ort.env.wasm.wasmBinary = wasm;
  // No SharedArrayBuffer in the plugin iframe (not cross-origin isolated): one thread, no worker.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
}

/** Resolves when the WebGPU device ORT created is lost (driver reset, tab in background, destroy()). */
async function deviceLost(): Promise<string> {
  const device = (await ort.env.webgpu.device) as unknown as { lost?: Promise<{ reason?: string; message?: string }> } | undefined;
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

export function ortRunnerFactory(bytes: ModelBytes): RunnerFactory {
  configure(bytes.wasm);
  return async (backend: Backend): Promise<RunnerHandle> => {
    const runner = await SmatRunner.create({
      ort: ort as unknown as OrtModuleLike,
      encoder: bytes.encoder,
      head: bytes.head,
      config: bytes.config,
      sessionOptions: { executionProviders: executionProviders(backend), graphOptimizationLevel: 'all' },
    });
    const handle: RunnerHandle = { runner };
    if (backend === 'webgpu') {
      handle.lost = deviceLost().catch((err) => `device error: ${messageOf(err)}`);
    }
    return handle;
  };
}
