// What a big dist/code.js costs in the sandbox VM: for each code.js given, in a fresh QuickJS
// (WebAssembly) VM each time, the time to parse and run its top level, the VM heap afterwards, and
// the time the sandbox takes to post the WASM-path assets to the UI (runtime + model).
//   npx tsx tools/measure-sandbox-load.ts dist/code.js [other/code.js ...] [--runs 3]
import { readFileSync, statSync } from 'node:fs';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { FakePluginHost } from '../test/fake-figma/fake-plugin-host';
import { runPluginInQuickJs } from '../test/figma-sandbox/run-plugin-in-quickjs';
import { flagInt, parseArgs } from '../cli/args';

const args = parseArgs(process.argv.slice(2), { runs: { value: true } });
const runs = flagInt(args, 'runs', 1) ?? 3;
const files = args.positional;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (n: number) => (n / 1048576).toFixed(1);

// The alternative to sending base64 text: decode it to bytes in the sandbox and post Uint8Arrays.
// The sandbox has no atob (Figma's VM neither), so it would be a JS loop like this one.
{
  const module = await newQuickJSWASMModuleFromVariant(releaseSync);
  const ctx = module.newContext();
  const b64 = Buffer.from(Uint8Array.from({ length: 786432 }, (_, i) => (i * 131) & 255)).toString('base64');
  const t0 = performance.now();
  const r =
    ctx.evalCode(`var s=${JSON.stringify(b64)};var T='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
var L=new Uint8Array(128);for(var i=0;i<64;i++)L[T.charCodeAt(i)]=i;var out=new Uint8Array(s.length/4*3),o=0;
for(var i=0;i<s.length;i+=4){var n=(L[s.charCodeAt(i)]<<18)|(L[s.charCodeAt(i+1)]<<12)|(L[s.charCodeAt(i+2)]<<6)|L[s.charCodeAt(i+3)];
out[o++]=n>>16;out[o++]=(n>>8)&255;out[o++]=n&255;}out.length`);
  const ms = performance.now() - t0;
  if (r.error) throw new Error(String(ctx.dump(r.error)));
  r.value.dispose();
  ctx.dispose();
  console.log(`decoding 1 MiB of base64 to bytes inside QuickJS: ${ms.toFixed(0)} ms`);
}

for (const file of files) {
  const code = readFileSync(file, 'utf8');
  const evalMs: number[] = [];
  const postMs: number[] = [];
  let heap = 0;
  let heapEnd = 0;
  let posted = 0;
  for (let r = 0; r < runs; r++) {
    let chars = 0;
    const host = new FakePluginHost('', {
      showUI: () => {},
      toUi: (m) => {
        const data = (m as { data?: string }).data;
        if (typeof data === 'string') chars += data.length;
      },
    });
    const vm = await runPluginInQuickJs(code, '<!doctype html>', host, () => {});
    evalMs.push(vm.evalMs);
    heap = vm.memoryAfterEval.heapBytes;
    const t0 = performance.now();
    vm.fromUi({
      type: 'assets-request',
      names: ['ort-wasm', 'model-config', 'encoder', 'saliency', 'prompted', 'decoder'],
    });
    postMs.push(performance.now() - t0);
    heapEnd = vm.memory().heapBytes;
    posted = chars;
    vm.dispose();
  }
  console.log(
    `${file}: ${mib(statSync(file).size)} MiB; parse+run ${median(evalMs).toFixed(0)} ms (median of ${runs}: ${evalMs.map((v) => v.toFixed(0)).join(', ')}); ` +
      `VM heap ${mib(heap)} MiB after, ${mib(heapEnd)} MiB after posting ${mib(posted)} MiB of assets in ${median(postMs).toFixed(0)} ms`,
  );
}
