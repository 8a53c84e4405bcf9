// The model behind the panel: one runner on the chosen backend, with the WebGPU -> WASM fallback.
// Pure orchestration: the runner factory is injected (ui/ort-runtime.ts in the plugin, fakes in tests).
import type { RgbaImage } from '../core/rgba-image';
import type { Prompt } from '../core/prompt-types';
import type { EncodeResult, MatteResult } from '../core/smat-runner';
import { errorMessage } from '../core/errors';
import { now } from '../core/now';
import { backendLabel, type Backend } from './backend';
import { isGpuError } from './is-gpu-error';

export type { MatteResult };

/** What the engine needs from core's SmatRunner (SmatRunner satisfies it). */
export interface RunnerLike {
  encode(image: RgbaImage, cacheKey: string): Promise<EncodeResult>;
  matte(image: RgbaImage, prompts: Prompt[], opts: { cacheKey?: string }): Promise<MatteResult>;
  warmUp(): Promise<unknown>;
  release(): Promise<unknown>;
}

export interface RunnerHandle {
  runner: RunnerLike;
  /** Resolves (with a reason) if the GPU device behind the runner is lost; never for WASM. */
  lost?: Promise<string>;
}

export type RunnerFactory = (backend: Backend) => Promise<RunnerHandle>;

export interface EngineOptions {
  /**
   * A bad GPU driver can leave session creation or the warm-up run pending forever; past this many
   * ms WebGPU counts as failed and the engine starts on WASM. Shader compilation on a first run
   * takes seconds, so this is generous.
   */
  gpuStartTimeoutMs?: number;
}

export const DEFAULT_GPU_START_TIMEOUT_MS = 60_000;

export type EngineEvent =
  | { type: 'backend'; backend: Backend }
  | { type: 'notice'; message: string }
  | { type: 'phase'; phase: 'encoding' | 'matting' };

export class MatteEngine {
  backend: Backend;
  private runner: RunnerLike | null = null;
  private deviceLost: string | null = null;
  private generation = 0;

  private readonly gpuStartTimeoutMs: number;

  constructor(
    private readonly factory: RunnerFactory,
    preferred: Backend,
    private readonly emit: (e: EngineEvent) => void = () => {},
    options: EngineOptions = {},
  ) {
    this.backend = preferred;
    this.gpuStartTimeoutMs = options.gpuStartTimeoutMs ?? DEFAULT_GPU_START_TIMEOUT_MS;
  }

  get ready(): boolean {
    return this.runner !== null;
  }

  /**
   * Creates the sessions and warms them up. Any failure to start WebGPU (an error or the timeout)
   * falls back to WASM: nothing about the user's images is involved yet, so it can only be the
   * backend. A WASM failure throws.
   */
  async load(): Promise<void> {
    try {
      await this.start(this.backend);
    } catch (err) {
      if (this.backend !== 'webgpu') throw err;
      await this.fallBack(`WebGPU could not start (${errorMessage(err)})`);
    }
  }

  /**
   * Mattes one image. `cacheKey` (the Figma image hash) lets a second run on the same image reuse
   * the encoder output. If the GPU fails (a GPU error, or the device is lost) mid-run, the sessions
   * are re-created on WASM and the run is repeated there; any other error is the run's own and is
   * thrown as it is, staying on WebGPU.
   */
  async matte(image: RgbaImage, prompts: Prompt[], cacheKey: string): Promise<MatteResult> {
    if (this.deviceLost && this.backend === 'webgpu') {
      await this.fallBack(`the GPU device was lost (${this.deviceLost})`);
    }
    try {
      return await this.run(image, prompts, cacheKey);
    } catch (err) {
      if (this.backend !== 'webgpu' || (!this.deviceLost && !isGpuError(err))) throw err;
      const why = this.deviceLost
        ? `the GPU device was lost (${this.deviceLost})`
        : `WebGPU failed (${errorMessage(err)})`;
      await this.fallBack(why);
      return await this.run(image, prompts, cacheKey);
    }
  }

  async release(): Promise<void> {
    const r = this.runner;
    this.runner = null;
    if (r) await r.release().catch(() => {});
  }

  private async run(image: RgbaImage, prompts: Prompt[], cacheKey: string): Promise<MatteResult> {
    const runner = this.runner;
    if (!runner) throw new Error('the model is not loaded');
    this.emit({ type: 'phase', phase: 'encoding' });
    const t0 = now();
    const encoded = await runner.encode(image, cacheKey);
    const encodeMs = now() - t0;
    this.emit({ type: 'phase', phase: 'matting' });
    const result = await runner.matte(image, prompts, { cacheKey });
    if (this.deviceLost && this.backend === 'webgpu') {
      // The device went away during the run: its outputs cannot be trusted.
      throw new Error(`GPU device lost: ${this.deviceLost}`);
    }
    // Preprocessing and the encoder ran in encode() above (matte() then found them cached):
    // report them as part of this run.
    const t = result.timings;
    return {
      ...result,
      timings: {
        ...t,
        preprocessMs: encoded.preprocessMs,
        encoderMs: encoded.encoderMs,
        totalMs: t.totalMs + encodeMs,
        encoderCached: encoded.cached,
      },
    };
  }

  private async start(backend: Backend): Promise<void> {
    const gen = ++this.generation;
    this.deviceLost = null;
    const starting = this.createAndWarmUp(backend, gen);
    if (backend !== 'webgpu') return starting;
    const ms = this.gpuStartTimeoutMs;
    await withTimeout(starting, ms, `timed out after ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`}`);
  }

  private async createAndWarmUp(backend: Backend, gen: number): Promise<void> {
    const handle = await this.factory(backend);
    if (gen !== this.generation) {
      // Gave up on this start (timeout) and moved on: free what arrived late.
      void handle.runner.release().catch(() => {});
      throw new Error(`${backend} start was abandoned`);
    }
    this.backend = backend;
    this.runner = handle.runner;
    this.emit({ type: 'backend', backend });
    handle.lost?.then((reason) => {
      if (gen === this.generation) this.deviceLost = reason || 'unknown reason';
    });
    await handle.runner.warmUp();
  }

  private async fallBack(why: string): Promise<void> {
    // A hung GPU may never answer release() either: free it without waiting, and invalidate its start.
    const stale = this.runner;
    this.runner = null;
    this.generation++;
    if (stale) void stale.release().catch(() => {});
    this.emit({ type: 'notice', message: `${why}; switched to ${backendLabel('wasm')}.` });
    await this.start('wasm');
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
