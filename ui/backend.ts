// Which ORT execution provider the UI runs on. Pure: takes the navigator-like object as input.
import { errorMessage } from '../core/errors';
import { withTimeout } from './with-timeout';

export type Backend = 'webgpu' | 'wasm';

export interface BackendChoice {
  backend: Backend;
  /** Why: shown in the panel next to the backend name. */
  reason: string;
}

/** The bits of `navigator.gpu` this module touches. */
export interface GpuLike {
  requestAdapter(options?: unknown): Promise<unknown | null>;
}

export interface DetectOptions {
  gpu: GpuLike | undefined | null;
  /** WebGPU is only exposed in secure contexts (an srcdoc iframe is one, a data: URL iframe is not). */
  isSecureContext: boolean;
  /**
   * 'wasm': never try WebGPU. 'webgpu': use any adapter, software ones included (testing).
   * The playground passes its `?backend=` as <meta name="smat-backend"> in the srcdoc.
   */
  force?: Backend | null;
  /** requestAdapter can hang on broken drivers: give up after this many ms. */
  timeoutMs?: number;
}

/** WebGPU when `navigator.gpu` hands out an adapter, otherwise WASM (CPU). Never throws. */
export async function detectBackend(opts: DetectOptions): Promise<BackendChoice> {
  if (opts.force === 'wasm') return { backend: 'wasm', reason: 'WASM was requested' };
  if (!opts.gpu) {
    return {
      backend: 'wasm',
      reason: opts.isSecureContext ? 'this browser has no WebGPU' : 'WebGPU needs a secure context',
    };
  }
  try {
    const ms = opts.timeoutMs ?? 3000;
    const adapter = await withTimeout(opts.gpu.requestAdapter(), ms, () => new Error(`timed out after ${ms} ms`));
    if (!adapter) return { backend: 'wasm', reason: 'no WebGPU adapter available' };
    // A software adapter (SwiftShader and the like) runs the model far slower than WASM does.
    const a = adapter as { isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean } };
    if ((a.isFallbackAdapter || a.info?.isFallbackAdapter) && opts.force !== 'webgpu') {
      return { backend: 'wasm', reason: 'only a software WebGPU adapter, slower than WASM' };
    }
    return { backend: 'webgpu', reason: 'GPU adapter found' };
  } catch (err) {
    return { backend: 'wasm', reason: `WebGPU unavailable (${errorMessage(err)})` };
  }
}

export function backendLabel(backend: Backend): string {
  return backend === 'webgpu' ? 'WebGPU (GPU)' : 'WASM (CPU)';
}

/** ORT session options for a backend. ORT always keeps its CPU kernels for ops WebGPU lacks. */
export function executionProviders(backend: Backend): string[] {
  return backend === 'webgpu' ? ['webgpu'] : ['wasm'];
}

/** Reads a backend override (`webgpu` | `wasm`); the playground injects `<meta name="smat-backend">`. */
export function backendOverride(value: string | null | undefined): Backend | null {
  const v = (value ?? '').trim().toLowerCase();
  return v === 'webgpu' || v === 'wasm' ? v : null;
}
