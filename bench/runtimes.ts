// The two ORT runtimes the bench compares. Both are driven through the same API.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type RuntimeName = 'node-cpu' | 'web-wasm';

export interface Runtime {
  name: RuntimeName;
  label: string;
  ort: any;
  sessionOptions: Record<string, unknown>;
  version: string;
}

export async function loadRuntime(name: RuntimeName, threads: number): Promise<Runtime> {
  if (name === 'node-cpu') {
    const mod: any = await import('onnxruntime-node');
    const ort = mod.default ?? mod;
    return {
      name,
      label: `onnxruntime-node CPU (${threads} thread${threads === 1 ? '' : 's'})`,
      ort,
      sessionOptions: { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' },
      version: ort.env?.versions?.node ?? ort.env?.versions?.common ?? 'unknown',
    };
  }
  const mod: any = await import('onnxruntime-web');
  const ort = mod.default ?? mod;
  // The plugin iframe has no SharedArrayBuffer: one WASM thread, no proxy worker.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  return {
    name,
    label: 'onnxruntime-web WASM (1 thread, in Node)',
    ort,
    sessionOptions: { executionProviders: ['wasm'], graphOptimizationLevel: 'all' },
    version: ort.env?.versions?.web ?? ort.env?.versions?.common ?? 'unknown',
  };
}
