// The two ORT runtimes the bench compares. Both are driven through the same API.
import type { Env } from 'onnxruntime-node';
import type { OrtModuleLike, OrtSessionLike, OrtTensorLike } from '../core/smat-runner';

export type RuntimeName = 'node-cpu' | 'web-wasm';

/** A session as the peers use it: they also name the outputs to fetch. */
export interface BenchSession extends OrtSessionLike {
  run(feeds: Record<string, OrtTensorLike>, fetches?: readonly string[]): Promise<Record<string, OrtTensorLike>>;
}

/** What the bench needs of an ORT module: ours (OrtModuleLike), the peers' sessions, and its env. */
export interface BenchOrt extends OrtModuleLike {
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<BenchSession> };
  env: Env;
}

export interface Runtime {
  name: RuntimeName;
  label: string;
  ort: BenchOrt;
  sessionOptions: Record<string, unknown>;
  version: string;
}

/** The module's namespace, or its default export where the package is CommonJS seen from ESM. */
function moduleOf(mod: object): BenchOrt {
  const m = mod as { default?: unknown };
  return (m.default ?? mod) as BenchOrt;
}

export async function loadRuntime(name: RuntimeName, threads: number): Promise<Runtime> {
  if (name === 'node-cpu') {
    const ort = moduleOf(await import('onnxruntime-node'));
    return {
      name,
      label: `onnxruntime-node CPU (${threads} thread${threads === 1 ? '' : 's'})`,
      ort,
      sessionOptions: {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      },
      version: versionOf(ort.env, 'node'),
    };
  }
  const ort = moduleOf(await import('onnxruntime-web'));
  // The plugin iframe has no SharedArrayBuffer: one WASM thread, no proxy worker.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  return {
    name,
    label: 'onnxruntime-web WASM (1 thread, in Node)',
    ort,
    sessionOptions: { executionProviders: ['wasm'], graphOptimizationLevel: 'all' },
    version: versionOf(ort.env, 'web'),
  };
}

function versionOf(env: Env | undefined, which: 'node' | 'web'): string {
  return env?.versions?.[which] ?? env?.versions?.common ?? 'unknown';
}
