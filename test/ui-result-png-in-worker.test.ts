// Apply's PNG through the worker client (ui/result-png-in-worker.ts), with a stand-in for the
// browser's Worker: the answers reach the right requests, and a page whose worker cannot start or
// dies still gets the same PNG, made on its own thread.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RgbaImage } from '../core/rgba-image';
import { encodeResultPng, type ResultPngInputs } from '../ui/result-png';
import { resultPngInWorker } from '../ui/result-png-in-worker';

const source: RgbaImage = { width: 3, height: 2, data: new Uint8Array(24).map((_, i) => (i * 29) % 256) };
const inputs = (alpha: number[]): ResultPngInputs => ({
  source,
  alpha: Float32Array.from(alpha),
  output: 'cutout',
  decontaminate: true,
});

/** A Worker that answers two requests in reverse order, or one that fails as a whole on its first message. */
function fakeWorker(behaviour: 'answer-reversed' | 'die') {
  const requests: { id: number; inputs: ResultPngInputs }[] = [];
  class FakeWorker {
    onmessage: ((e: { data: unknown }) => void) | null = null;
    onerror: ((e: { message: string; preventDefault(): void }) => void) | null = null;
    terminated = false;
    postMessage(data: { id: number; inputs: ResultPngInputs }) {
      requests.push(data);
      if (behaviour === 'die') {
        setTimeout(() => this.onerror?.({ message: 'out of memory', preventDefault() {} }), 0);
        return;
      }
      if (requests.length < 2) return;
      for (const r of [...requests].reverse()) {
        const png = encodeResultPng(r.inputs);
        setTimeout(() => this.onmessage?.({ data: { id: r.id, png } }), 0);
      }
    }
    terminate() {
      this.terminated = true;
    }
  }
  return FakeWorker;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('resultPngInWorker', () => {
  it('gives each request its own PNG, whatever order the worker answers in', async () => {
    vi.stubGlobal('Worker', fakeWorker('answer-reversed'));
    const maker = resultPngInWorker('/* worker source */');
    expect(maker.offThread).toBe(true);
    const a = inputs([1, 0, 0.5, 1, 1, 0]);
    const b = inputs([0, 0, 1, 1, 0.25, 1]);
    const [pa, pb] = await Promise.all([maker.make(a), maker.make(b)]);
    expect(Array.from(pa)).toEqual(Array.from(encodeResultPng(a)));
    expect(Array.from(pb)).toEqual(Array.from(encodeResultPng(b)));
  });

  it('a worker that dies: the waiting PNG and every later one are made on the page, and the console says so', async () => {
    vi.stubGlobal('Worker', fakeWorker('die'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const maker = resultPngInWorker('/* worker source */');
    const a = inputs([1, 0, 0.5, 1, 1, 0]);
    expect(Array.from(await maker.make(a))).toEqual(Array.from(encodeResultPng(a)));
    expect(maker.offThread).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('the worker failed: out of memory'));
    const b = inputs([0, 1, 1, 0, 0, 1]);
    expect(Array.from(await maker.make(b))).toEqual(Array.from(encodeResultPng(b)));
  });

  it('a page that cannot start a worker makes the PNG on its own thread', async () => {
    vi.stubGlobal(
      'Worker',
      class {
        constructor() {
          throw new Error('blob: workers are blocked here');
        }
      },
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const maker = resultPngInWorker('/* worker source */');
    expect(maker.offThread).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('blob: workers are blocked here'));
    const a = inputs([1, 1, 1, 0, 0, 0]);
    expect(Array.from(await maker.make(a))).toEqual(Array.from(encodeResultPng(a)));
  });
});
