// Runs a built dist/code.js the way Figma runs plugin code: inside QuickJS compiled to WebAssembly
// (a separate JS VM with no DOM, no Node, no TextEncoder), with `figma` and `__html__` as its only
// globals besides `console`. `figma` is the typed fake (FakePluginHost) living in Node, reached
// through the bridge.
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import type { FakePluginHost } from '../fake-figma/fake-plugin-host';
import { QuickJsHostBridge } from './quickjs-host-bridge';
import { VM_BRIDGE_PRELUDE } from './vm-bridge-prelude';

export interface VmMemory {
  /**
   * Size of the VM's WebAssembly memory: it only grows, so this is the high-water mark of
   * everything QuickJS allocated so far (the source text while parsing, the assets' strings, objects).
   */
  heapBytes: number;
}

export interface PluginVm {
  /** Milliseconds QuickJS took to parse and run code.js's top level. */
  evalMs: number;
  /** Memory right after code.js's top level ran. */
  memoryAfterEval: VmMemory;
  memory(): VmMemory;
  /** A `pluginMessage` from the UI page, handed to figma.ui.onmessage. */
  fromUi(message: unknown): void;
  /** Errors thrown inside the VM by callbacks or promise jobs (must stay empty). */
  readonly vmErrors: string[];
  dispose(): void;
}

export async function runPluginInQuickJs(
  code: string,
  html: string,
  host: FakePluginHost,
  onLog: (level: string, line: string) => void = (level, line) => console.log(`[code.js ${level}] ${line}`),
): Promise<PluginVm> {
  // A fresh WebAssembly instance per run, like a fresh plugin VM: its memory is this run's alone.
  const module: QuickJSWASMModule = await newQuickJSWASMModuleFromVariant(releaseSync);
  const runtime = module.newRuntime();
  const ctx = runtime.newContext();
  const bridge = new QuickJsHostBridge(ctx, runtime);
  bridge.install(VM_BRIDGE_PRELUDE, onLog);
  bridge.exposeGlobal('figma', host);
  const htmlHandle = ctx.newString(html);
  ctx.setProp(ctx.global, '__html__', htmlHandle);
  htmlHandle.dispose();

  const wasm = (module as unknown as { module: { HEAPU8: Uint8Array } }).module;
  const memory = (): VmMemory => ({ heapBytes: wasm.HEAPU8.length });

  const t0 = performance.now();
  const result = ctx.evalCode(code, 'code.js');
  const evalMs = performance.now() - t0;
  if (result.error) {
    const error = ctx.dump(result.error);
    result.error.dispose();
    throw new Error(`code.js threw in QuickJS: ${JSON.stringify(error)}`);
  }
  result.value.dispose();
  bridge.drain();
  const memoryAfterEval = memory();

  return {
    evalMs,
    memoryAfterEval,
    memory,
    fromUi(message: unknown) {
      host.ui.deliver(message);
    },
    vmErrors: bridge.vmErrors,
    dispose() {
      bridge.dispose();
      ctx.dispose();
      runtime.dispose();
    },
  };
}
