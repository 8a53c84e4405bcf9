import { describe, expect, it } from 'vitest';
import type { Backend } from '../ui/backend';
import { FallbackRunner, type RunnerEvent, type RunnerHandle, type RunnerLike } from '../ui/fallback-runner';
import { isGpuError } from '../ui/is-gpu-error';
import type { RgbaImage } from '../core/rgba-image';

const image: RgbaImage = { width: 2, height: 1, data: new Uint8Array(8).fill(255) };

interface FakeOptions {
  failCreate?: Backend[];
  /** matte() on this backend throws on the n-th call (1-based). */
  failMatteOn?: { backend: Backend; call: number; error?: string };
  /** The head on this backend takes `ms` on the n-th call; without `ms` it never settles until `releaseHung()`. */
  slowMatteOn?: { backend: Backend; call: number; ms?: number };
  /** The upsampling after the graphs takes `ms` on the n-th call. */
  slowUpsamplingOn?: { call: number; ms: number };
  /** Resolve the lost promise of this backend during the n-th matte call. */
  loseDeviceOn?: number;
  /** The factory (create) of these backends never settles until `releaseHung()` is called. */
  hangCreate?: Backend[];
  /** The runner of these backends is made, then one of its later sessions fails (loaded() rejects). */
  failLaterSession?: Backend[];
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
      async matte(_img, _prompts, { cacheKey = '', onStage, onPreview }) {
        // The encoder's output outlives a backend switch here, as the image does: only the head runs.
        const cached = encoded.has(cacheKey);
        log.push(`encode:${backend}:${cached ? 'cached' : 'run'}`);
        encoded.add(cacheKey);
        if (!cached) onStage?.('encoding');
        onStage?.('matting');
        matteCalls++;
        log.push(`matte:${backend}`);
        const slow = opts.slowMatteOn;
        if (slow && slow.backend === backend && slow.call === matteCalls) {
          await (slow.ms === undefined ? hung : new Promise((r) => setTimeout(r, slow.ms)));
        }
        if (opts.loseDeviceOn === matteCalls && loseDevice) loseDevice('destroyed');
        if (opts.failMatteOn && opts.failMatteOn.backend === backend && opts.failMatteOn.call === matteCalls) {
          throw new Error(opts.failMatteOn.error ?? 'GPU exploded');
        }
        onPreview?.({ alpha: new Float32Array([backend === 'wasm' ? 0.5 : 0.25]), width: 1, height: 1 });
        onStage?.('upsampling');
        if (opts.slowUpsamplingOn?.call === matteCalls)
          await new Promise((r) => setTimeout(r, opts.slowUpsamplingOn?.ms));
        return {
          alpha: new Float32Array([1, 0]),
          width: 2,
          height: 1,
          similarity: new Float32Array(1),
          similaritySize: 1,
          hasPrompt: false,
          timings: {
            preprocessMs: 0,
            encoderMs: 1,
            headMs: 1,
            similarityMs: 1,
            postprocessMs: 0,
            totalMs: 2,
            encoderCached: cached,
          },
        };
      },
      async release() {
        log.push(`release:${backend}`);
      },
      async loaded() {
        if (opts.failLaterSession?.includes(backend)) throw new Error(`${backend} session 3 failed`);
      },
    };
    const handle: RunnerHandle = { runner };
    if (backend === 'webgpu') handle.lost = new Promise<string>((r) => (loseDevice = r));
    return handle;
  };
  return { factory, log, releaseHung };
}

function runnerWith(opts: FakeOptions, preferred: Backend = 'webgpu', gpuStartTimeoutMs?: number) {
  const { factory, log, releaseHung } = fakeFactory(opts);
  const events: RunnerEvent[] = [];
  const runner = new FallbackRunner(factory, preferred, (e) => events.push(e), { gpuStartTimeoutMs });
  const notices = () => events.filter((e) => e.type === 'notice').map((e) => (e as { message: string }).message);
  return { runner, log, events, notices, releaseHung };
}

/** A first WebGPU job that failed, redone on WASM from the cached encoding. */
const REDONE_ON_WASM = [
  'create:webgpu',
  'encode:webgpu:run',
  'matte:webgpu',
  'release:webgpu',
  'create:wasm',
  'encode:wasm:cached',
  'matte:wasm',
];

describe('FallbackRunner', () => {
  it('loads on WebGPU without running the model; the first job is the first run', async () => {
    const { runner, log, notices } = runnerWith({});
    await runner.load();
    expect(runner.backend).toBe('webgpu');
    expect(log).toEqual(['create:webgpu']);
    const r = await runner.matte(image, [], 'hash');
    expect(log).toEqual(['create:webgpu', 'encode:webgpu:run', 'matte:webgpu']);
    expect(r.timings.encoderCached).toBe(false);
    expect(notices()).toEqual([]);
  });

  it("passes the runner's steps on as they start: the encoder only for an image it has not just encoded", async () => {
    const { runner, events } = runnerWith({}, 'wasm');
    await runner.load();
    await runner.matte(image, [], 'a');
    await runner.matte(image, [], 'a');
    const stages = events.filter((e) => e.type === 'stage').map((e) => (e as { stage: string }).stage);
    expect(stages).toEqual(['encoding', 'matting', 'upsampling', 'matting', 'upsampling']);
  });

  it("passes the runner's coarse matte on", async () => {
    const { runner } = runnerWith({}, 'wasm');
    await runner.load();
    const seen: string[] = [];
    await runner.matte(image, [], 'a', (p) => {
      seen.push(`${p.width}x${p.height}:${p.alpha[0]}`);
    });
    expect(seen).toEqual(['1x1:0.5']);
  });

  it('a first WebGPU run given up for WASM gives no coarse matte when it finishes late', async () => {
    const { runner, releaseHung } = runnerWith({ slowMatteOn: { backend: 'webgpu', call: 1 } }, 'webgpu', 20);
    await runner.load();
    const previews: number[] = [];
    await runner.matte(image, [], 'hash', (p) => {
      previews.push(p.alpha[0]);
    });
    expect(runner.backend).toBe('wasm');
    expect(previews).toEqual([0.5]);
    releaseHung(); // the abandoned WebGPU run goes on to its preview now
    await new Promise((r) => setTimeout(r, 10));
    expect(previews).toEqual([0.5]);
  });

  it('falls back to WASM when WebGPU sessions cannot be created, and tells the user', async () => {
    const { runner, log, notices } = runnerWith({ failCreate: ['webgpu'] });
    await runner.load();
    expect(runner.backend).toBe('wasm');
    expect(notices()[0]).toMatch(/WebGPU could not start \(webgpu create failed\); switched to WASM/);
    expect(log).toEqual(['create:webgpu', 'create:wasm']);
  });

  it("on WebGPU the start waits for every session (one failing after the encoder's falls back to WASM); on WASM only for the encoder's", async () => {
    const gpu = runnerWith({ failLaterSession: ['webgpu'] });
    await gpu.runner.load();
    expect(gpu.runner.backend).toBe('wasm');
    expect(gpu.log).toEqual(['create:webgpu', 'release:webgpu', 'create:wasm']);
    expect(gpu.notices()[0]).toMatch(/WebGPU could not start \(webgpu session 3 failed\)/);

    const cpu = runnerWith({ failLaterSession: ['wasm'] }, 'wasm');
    await cpu.runner.load();
    expect(cpu.runner.backend).toBe('wasm');
    await expect(cpu.runner.loaded()).rejects.toThrow('wasm session 3 failed');
  });

  it("the first job on WebGPU failing in the shaders' first compile is redone on WASM", async () => {
    const error = 'Failed to generate WGSL shader for Conv';
    const { runner, log, notices } = runnerWith({ failMatteOn: { backend: 'webgpu', call: 1, error } });
    await runner.load();
    const r = await runner.matte(image, [], 'hash');
    expect(Array.from(r.alpha)).toEqual([1, 0]);
    expect(runner.backend).toBe('wasm');
    expect(log).toEqual(REDONE_ON_WASM);
    expect(notices()).toEqual([`WebGPU failed (${error}); switched to WASM (CPU).`]);
  });

  it("a first WebGPU run that never finishes times out and the user's job is redone on WASM", async () => {
    const { runner, log, notices } = runnerWith({ slowMatteOn: { backend: 'webgpu', call: 1 } }, 'webgpu', 20);
    await runner.load();
    const r = await runner.matte(image, [], 'hash');
    expect(Array.from(r.alpha)).toEqual([1, 0]);
    expect(runner.backend).toBe('wasm');
    expect(log.filter((l) => l.startsWith('create') || l.startsWith('matte'))).toEqual([
      'create:webgpu',
      'matte:webgpu',
      'create:wasm',
      'matte:wasm',
    ]);
    expect(notices()).toEqual(['WebGPU did not finish its first run (no answer in 20 ms); switched to WASM (CPU).']);
  });

  it("the first WebGPU run's upsampling, on the CPU, has no time limit", async () => {
    const { runner, notices } = runnerWith({ slowUpsamplingOn: { call: 1, ms: 60 } }, 'webgpu', 20);
    await runner.load();
    await runner.matte(image, [], 'a');
    expect(runner.backend).toBe('webgpu');
    expect(notices()).toEqual([]);
  });

  it('only the first WebGPU run has the time limit: a later slow run stays on WebGPU', async () => {
    const { runner, notices } = runnerWith({ slowMatteOn: { backend: 'webgpu', call: 2, ms: 60 } }, 'webgpu', 20);
    await runner.load();
    await runner.matte(image, [], 'a');
    await runner.matte(image, [], 'b');
    expect(runner.backend).toBe('webgpu');
    expect(notices()).toEqual([]);
  });

  it('throws when WASM itself cannot load', async () => {
    const { runner } = runnerWith({ failCreate: ['wasm'] }, 'wasm');
    await expect(runner.load()).rejects.toThrow('wasm create failed');
  });

  it('a WebGPU error mid-run re-creates the sessions on WASM and finishes the run', async () => {
    const { runner, log, notices } = runnerWith({ failMatteOn: { backend: 'webgpu', call: 1 } });
    await runner.load();
    const r = await runner.matte(image, [], 'hash');
    expect(Array.from(r.alpha)).toEqual([1, 0]);
    expect(runner.backend).toBe('wasm');
    expect(log).toEqual(REDONE_ON_WASM);
    expect(notices()[0]).toMatch(/WebGPU failed \(GPU exploded\); switched to WASM/);
  });

  it('a device lost during a run discards that output and redoes it on WASM', async () => {
    const { runner, log, notices } = runnerWith({ loseDeviceOn: 1 });
    await runner.load();
    await runner.matte(image, [], 'hash');
    expect(runner.backend).toBe('wasm');
    expect(log.slice(-2)).toEqual(['encode:wasm:cached', 'matte:wasm']);
    expect(notices()[0]).toMatch(/GPU device was lost \(destroyed\)/);
  });

  it('a device lost between runs switches before the next run', async () => {
    const { runner, log } = runnerWith({ loseDeviceOn: 2 });
    await runner.load();
    await runner.matte(image, [], 'a'); // call 1: fine
    await runner.matte(image, [], 'b'); // call 2: lost during the run -> redone on wasm
    expect(runner.backend).toBe('wasm');
    await runner.matte(image, [], 'b');
    expect(log.filter((l) => l.startsWith('create'))).toEqual(['create:webgpu', 'create:wasm']);
  });

  it('a WASM error is reported, not retried', async () => {
    const { runner } = runnerWith({ failMatteOn: { backend: 'wasm', call: 1, error: 'bad input' } }, 'wasm');
    await runner.load();
    await expect(runner.matte(image, [], 'h')).rejects.toThrow('bad input');
  });

  it("an error that is not the GPU's fault is thrown as it is, and the runner stays on WebGPU", async () => {
    for (const error of ['every prompt lies outside the image', 'expected 4x2 RGBA, got 3 bytes']) {
      const { runner, log, notices } = runnerWith({ failMatteOn: { backend: 'webgpu', call: 1, error } });
      await runner.load();
      await expect(runner.matte(image, [], 'h')).rejects.toThrow(error);
      expect(runner.backend).toBe('webgpu');
      expect(log.filter((l) => l.startsWith('create'))).toEqual(['create:webgpu']);
      expect(notices()).toEqual([]);
      await runner.matte(image, [], 'h');
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
    const { runner, log, notices, releaseHung } = runnerWith({ hangCreate: ['webgpu'] }, 'webgpu', 20);
    await runner.load();
    expect(runner.backend).toBe('wasm');
    expect(notices()[0]).toMatch(/WebGPU could not start \(timed out after 20 ms\); switched to WASM/);
    // The late WebGPU session is released, never used.
    releaseHung();
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toContain('release:webgpu');
    await runner.matte(image, [], 'h');
    expect(log.at(-1)).toBe('matte:wasm');
  });
});
