import { describe, expect, it } from 'vitest';
import type { Backend } from '../ui/backend';
import { MatteEngine, type EngineEvent, type RunnerHandle, type RunnerLike } from '../ui/engine';
import { isGpuError } from '../ui/is-gpu-error';
import type { RgbaImage } from '../core/rgba-image';

const image: RgbaImage = { width: 2, height: 1, data: new Uint8Array(8).fill(255) };

interface FakeOptions {
  failCreate?: Backend[];
  failWarmUp?: Backend[];
  /** matte() on this backend throws on the n-th call (1-based). */
  failMatteOn?: { backend: Backend; call: number; error?: string };
  /** Resolve the lost promise of this backend during the n-th matte call. */
  loseDeviceOn?: number;
  /** The factory (create) or warmUp() of these backends never settles until `releaseHung()` is called. */
  hangCreate?: Backend[];
  hangWarmUp?: Backend[];
}

function fakeFactory(opts: FakeOptions = {}) {
  const log: string[] = [];
  let matteCalls = 0;
  let loseDevice: ((reason: string) => void) | null = null;
  const encoded = new Set<string>();
  let releaseHung!: () => void;
  const hung = new Promise<void>((r) => (releaseHung = r));
  const factory = async (backend: Backend): Promise<RunnerHandle> => {
    log.push(`create:${backend}`);
    if (opts.failCreate?.includes(backend)) throw new Error(`${backend} create failed`);
    if (opts.hangCreate?.includes(backend)) await hung;
    const runner: RunnerLike = {
      async encode(_img, key) {
        const cached = encoded.has(key);
        log.push(`encode:${backend}:${cached ? 'cached' : 'run'}`);
        encoded.add(key);
        return cached ? { cached, preprocessMs: 0, encoderMs: 0 } : { cached, preprocessMs: 2, encoderMs: 5 };
      },
      async matte() {
        matteCalls++;
        log.push(`matte:${backend}`);
        if (opts.loseDeviceOn === matteCalls && loseDevice) loseDevice('destroyed');
        if (opts.failMatteOn && opts.failMatteOn.backend === backend && opts.failMatteOn.call === matteCalls) {
          throw new Error(opts.failMatteOn.error ?? 'GPU exploded');
        }
        return {
          alpha: new Float32Array([1, 0]),
          width: 2,
          height: 1,
          similarity: new Float32Array(1),
          similaritySize: 1,
          hasPrompt: false,
          timings: { preprocessMs: 0, encoderMs: 1, headMs: 1, postprocessMs: 0, totalMs: 2, encoderCached: false },
        };
      },
      async warmUp() {
        log.push(`warmup:${backend}`);
        if (opts.failWarmUp?.includes(backend)) throw new Error(`${backend} warm-up failed`);
        if (opts.hangWarmUp?.includes(backend)) await hung;
      },
      async release() {
        log.push(`release:${backend}`);
      },
    };
    const handle: RunnerHandle = { runner };
    if (backend === 'webgpu') handle.lost = new Promise<string>((r) => (loseDevice = r));
    return handle;
  };
  return { factory, log, releaseHung };
}

function engineWith(opts: FakeOptions, preferred: Backend = 'webgpu', gpuStartTimeoutMs?: number) {
  const { factory, log, releaseHung } = fakeFactory(opts);
  const events: EngineEvent[] = [];
  const engine = new MatteEngine(factory, preferred, (e) => events.push(e), { gpuStartTimeoutMs });
  const notices = () => events.filter((e) => e.type === 'notice').map((e) => (e as { message: string }).message);
  return { engine, log, events, notices, releaseHung };
}

describe('MatteEngine', () => {
  it('loads on WebGPU, warms up, and mattes there', async () => {
    const { engine, log, notices } = engineWith({});
    await engine.load();
    expect(engine.backend).toBe('webgpu');
    const r = await engine.matte(image, [], 'hash');
    expect(log).toEqual(['create:webgpu', 'warmup:webgpu', 'encode:webgpu:run', 'matte:webgpu']);
    expect(r.timings.encoderCached).toBe(false);
    // encode() did the preprocessing and the encoder: its times are the run's, not matte()'s zeros.
    expect([r.timings.preprocessMs, r.timings.encoderMs]).toEqual([2, 5]);
    expect(notices()).toEqual([]);
  });

  it('falls back to WASM when WebGPU cannot create or warm up, and tells the user', async () => {
    for (const opts of [{ failCreate: ['webgpu' as Backend] }, { failWarmUp: ['webgpu' as Backend] }]) {
      const { engine, notices } = engineWith(opts);
      await engine.load();
      expect(engine.backend).toBe('wasm');
      expect(notices()[0]).toMatch(/WebGPU could not start .*switched to WASM/);
    }
  });

  it('throws when WASM itself cannot load', async () => {
    const { engine } = engineWith({ failCreate: ['wasm'] }, 'wasm');
    await expect(engine.load()).rejects.toThrow('wasm create failed');
  });

  it('a WebGPU error mid-run re-creates the sessions on WASM and finishes the run', async () => {
    const { engine, log, notices } = engineWith({ failMatteOn: { backend: 'webgpu', call: 1 } });
    await engine.load();
    const r = await engine.matte(image, [], 'hash');
    expect(Array.from(r.alpha)).toEqual([1, 0]);
    expect(engine.backend).toBe('wasm');
    expect(log).toEqual([
      'create:webgpu',
      'warmup:webgpu',
      'encode:webgpu:run',
      'matte:webgpu',
      'release:webgpu',
      'create:wasm',
      'warmup:wasm',
      'encode:wasm:cached',
      'matte:wasm',
    ]);
    expect(notices()[0]).toMatch(/WebGPU failed \(GPU exploded\); switched to WASM/);
  });

  it('a device lost during a run discards that output and redoes it on WASM', async () => {
    const { engine, log, notices } = engineWith({ loseDeviceOn: 1 });
    await engine.load();
    await engine.matte(image, [], 'hash');
    expect(engine.backend).toBe('wasm');
    expect(log.slice(-2)).toEqual(['encode:wasm:cached', 'matte:wasm']);
    expect(notices()[0]).toMatch(/GPU device was lost \(destroyed\)/);
  });

  it('a device lost between runs switches before the next run', async () => {
    const { engine, log } = engineWith({ loseDeviceOn: 2 });
    await engine.load();
    await engine.matte(image, [], 'a'); // call 1: fine
    await engine.matte(image, [], 'b'); // call 2: lost during the run -> redone on wasm
    expect(engine.backend).toBe('wasm');
    await engine.matte(image, [], 'b');
    expect(log.filter((l) => l.startsWith('create'))).toEqual(['create:webgpu', 'create:wasm']);
  });

  it('a WASM error is reported, not retried', async () => {
    const { engine } = engineWith({ failMatteOn: { backend: 'wasm', call: 1, error: 'bad input' } }, 'wasm');
    await engine.load();
    await expect(engine.matte(image, [], 'h')).rejects.toThrow('bad input');
  });

  it("an error that is not the GPU's fault is thrown as it is, and the engine stays on WebGPU", async () => {
    for (const error of ['every prompt lies outside the image', 'expected 4x2 RGBA, got 3 bytes']) {
      const { engine, log, notices } = engineWith({ failMatteOn: { backend: 'webgpu', call: 1, error } });
      await engine.load();
      await expect(engine.matte(image, [], 'h')).rejects.toThrow(error);
      expect(engine.backend).toBe('webgpu');
      expect(log.filter((l) => l.startsWith('create'))).toEqual(['create:webgpu']);
      expect(notices()).toEqual([]);
      await engine.matte(image, [], 'h');
      expect(log.at(-1)).toBe('matte:webgpu');
    }
  });

  it('GPU errors are told apart by WebGPU error class or wording', () => {
    const named = (name: string) => Object.assign(new Error('x'), { name });
    expect(isGpuError(named('GPUOutOfMemoryError'))).toBe(true);
    expect(isGpuError(named('OperationError'))).toBe(true);
    expect(isGpuError(new Error('Failed to run WebGPU kernel MatMul'))).toBe(true);
    expect(isGpuError(new Error('device lost: destroyed'))).toBe(true);
    expect(isGpuError(new Error('every prompt lies outside the image'))).toBe(false);
    expect(isGpuError(new RangeError('Invalid typed array length'))).toBe(false);
  });

  it('WebGPU session creation that never finishes times out and falls back to WASM', async () => {
    const { engine, log, notices, releaseHung } = engineWith({ hangCreate: ['webgpu'] }, 'webgpu', 20);
    await engine.load();
    expect(engine.backend).toBe('wasm');
    expect(notices()[0]).toMatch(/WebGPU could not start \(timed out after 20 ms\); switched to WASM/);
    // The late WebGPU session is released, never used.
    releaseHung();
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toContain('release:webgpu');
    await engine.matte(image, [], 'h');
    expect(log.at(-1)).toBe('matte:wasm');
  });

  it('a WebGPU warm-up that never finishes times out and falls back to WASM', async () => {
    const { engine, log, notices } = engineWith({ hangWarmUp: ['webgpu'] }, 'webgpu', 20);
    await engine.load();
    expect(engine.backend).toBe('wasm');
    expect(notices()[0]).toMatch(/timed out/);
    expect(log).toEqual(['create:webgpu', 'warmup:webgpu', 'release:webgpu', 'create:wasm', 'warmup:wasm']);
  });
});
