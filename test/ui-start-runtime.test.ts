// The panel starts ORT's runtime from the streamed binary before the graphs are in
// (ui/web-runner-factory.ts): the one-node graph it uses must load and run on that binary.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-web/wasm';
import { describe, expect, it } from 'vitest';
import { IDENTITY_GRAPH, startRuntime } from '../ui/web-runner-factory';

const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/wasm'));

describe('startRuntime', () => {
  it('starts the WASM runtime from its bytes on the identity graph, which echoes its input', async () => {
    const wasm = new Uint8Array(readFileSync(join(ortDist, 'ort-wasm-simd-threaded.wasm')));
    await startRuntime('ort-wasm', wasm);
    const session = await ort.InferenceSession.create(IDENTITY_GRAPH, { executionProviders: ['wasm'] });
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([3.5]), [1]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([3.5]);
    await session.release();
  });
});
