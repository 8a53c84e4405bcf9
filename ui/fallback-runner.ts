// The panel's runner: core's SmatRunner on the chosen backend, moved to WASM when WebGPU fails.
// Pure orchestration: the runner factory is injected (ui/web-runner-factory.ts in the plugin, fakes in tests).
import type { RgbaImage } from '../core/rgba-image';
import type { Prompt } from '../core/prompt-types';
import type { MatteOptions, MatteResult, MattePreview, MatteStage, PreviewHandler } from '../core/smat-runner';
import { errorMessage } from '../core/errors';
import { backendLabel, type Backend } from './backend';
import { isGpuError } from './is-gpu-error';
import { durationText, withTimeout } from './with-timeout';

export type { MatteResult, MattePreview };

/** What the panel needs from core's SmatRunner (SmatRunner satisfies it). */
export interface RunnerLike {
  matte(image: RgbaImage, prompts: Prompt[], opts: MatteOptions): Promise<MatteResult>;
  release(): Promise<unknown>;
  /** Resolves once every session exists, when the runner was returned before all were made. */
  loaded?(): Promise<unknown>;
  /** SmatRunner.encode. */
  encode?(image: RgbaImage, cacheKey: string): Promise<boolean>;
  /** SmatRunner.promptedReady and SmatRunner.warmUpPrompted. */
  promptedReady?(): Promise<unknown>;
  warmUpPrompted?(): Promise<boolean>;
}

export interface RunnerHandle {
  runner: RunnerLike;
  /** Resolves (with a reason) if the GPU device behind the runner is lost; never for WASM. */
  lost?: Promise<string>;
}

export type RunnerFactory = (backend: Backend) => Promise<RunnerHandle>;

export interface FallbackOptions {
  /**
   * A bad GPU driver can leave session creation or a graph's first run (where WebGPU compiles its
   * shaders) pending forever; past this many ms for either, WebGPU counts as failed and the runner
   * moves to WASM. Shader compilation takes seconds, so this is generous.
   */
  gpuStartTimeoutMs?: number;
}

export const DEFAULT_GPU_START_TIMEOUT_MS = 60_000;

export type RunnerEvent =
  | { type: 'backend'; backend: Backend }
  | { type: 'notice'; message: string }
  | { type: 'stage'; stage: MatteStage };

/** WebGPU's first run never finished: the GPU's fault, whatever the run was about. */
class FirstRunTimeout extends Error {}

export class FallbackRunner {
  backend: Backend;
  private runner: RunnerLike | null = null;
  private deviceLost: string | null = null;
  /** Bumped by each start: what a given-up start or run delivers late is dropped. */
  private generation = 0;
  /** The WebGPU runner has not finished a run yet: its first one compiles the shaders. */
  private gpuUntried = false;

  private readonly gpuStartTimeoutMs: number;

  constructor(
    private readonly factory: RunnerFactory,
    preferred: Backend,
    private readonly emit: (e: RunnerEvent) => void = () => {},
    options: FallbackOptions = {},
  ) {
    this.backend = preferred;
    this.gpuStartTimeoutMs = options.gpuStartTimeoutMs ?? DEFAULT_GPU_START_TIMEOUT_MS;
  }

  get ready(): boolean {
    return this.runner !== null;
  }

  /**
   * Creates the sessions, and runs nothing: the user's first job is the first run (WASM needs no
   * warm-up, and a throw-away run on WebGPU only moved its shader compilation earlier). Any failure
   * to create WebGPU sessions (an error or the timeout) falls back to WASM: nothing about the
   * user's images is involved yet, so it can only be the backend. A WASM failure throws.
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
   * the encoder output. If the GPU fails (a GPU error, the device is lost, or the first run never
   * finishes) the sessions are re-created on WASM and the run is repeated there; any other error is
   * the run's own and is thrown as it is, staying on WebGPU. `onPreview` gets the runner's coarse
   * matte; a redone run gives one again.
   */
  async matte(
    image: RgbaImage,
    prompts: Prompt[],
    cacheKey: string,
    onPreview: PreviewHandler = () => {},
  ): Promise<MatteResult> {
    if (this.deviceLost && this.backend === 'webgpu') {
      await this.fallBack(`the GPU device was lost (${this.deviceLost})`);
    }
    try {
      return await this.runGuarded(image, prompts, cacheKey, onPreview);
    } catch (err) {
      const why = this.gpuFailure(err);
      if (!why) throw err;
      await this.fallBack(why);
      return await this.run(image, prompts, cacheKey, onPreview);
    }
  }

  /**
   * Runs the encoder ahead of a matte with the same `cacheKey` (SmatRunner.encode). Not on WebGPU
   * before its first run has finished: that run compiles the shaders, under the time limit and with
   * the fallback that only a matte has. False when nothing ran.
   */
  async encodeAhead(image: RgbaImage, cacheKey: string): Promise<boolean> {
    const runner = this.runner;
    if (!runner?.encode || (this.backend === 'webgpu' && (this.gpuUntried || this.deviceLost))) return false;
    return runner.encode(image, cacheKey);
  }

  /** Resolves once the current runner's prompted candidate has its session (SmatRunner.promptedReady). */
  async promptedReady(): Promise<void> {
    await this.runner?.promptedReady?.();
  }

  /** One throw-away run of the prompted candidate (SmatRunner.warmUpPrompted); false if nothing ran. */
  async warmUpPrompted(): Promise<boolean> {
    return (await this.runner?.warmUpPrompted?.()) ?? false;
  }

  /** Resolves once the current runner has made every session; rejects with the failure if one failed. */
  async loaded(): Promise<void> {
    await this.runner?.loaded?.();
  }

  async release(): Promise<void> {
    const r = this.runner;
    this.runner = null;
    if (r) await r.release().catch(() => {});
  }

  /** Why `err` is WebGPU's failure, in the user's words; null when it is the run's own. */
  private gpuFailure(err: unknown): string | null {
    if (this.backend !== 'webgpu') return null;
    if (this.deviceLost) return `the GPU device was lost (${this.deviceLost})`;
    if (err instanceof FirstRunTimeout) return `WebGPU did not finish its first run (${err.message})`;
    return isGpuError(err) ? `WebGPU failed (${errorMessage(err)})` : null;
  }

  /**
   * A run; on WebGPU's first one, which compiles the shaders, each graph has the start's time
   * limit. The upsampling after them runs on the CPU and takes as long as the photo is large, so
   * it has none.
   */
  private async runGuarded(
    image: RgbaImage,
    prompts: Prompt[],
    cacheKey: string,
    onPreview: PreviewHandler,
  ): Promise<MatteResult> {
    if (this.backend !== 'webgpu' || !this.gpuUntried) return this.run(image, prompts, cacheKey, onPreview);
    const ms = this.gpuStartTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let expire!: (error: Error) => void;
    const expired = new Promise<never>((_resolve, reject) => (expire = reject));
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => expire(new FirstRunTimeout(`no answer in ${durationText(ms)}`)), ms);
    };
    arm();
    try {
      const running = this.run(image, prompts, cacheKey, onPreview, (stage) =>
        stage === 'upsampling' ? clearTimeout(timer) : arm(),
      );
      const result = await Promise.race([running, expired]);
      this.gpuUntried = false;
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(
    image: RgbaImage,
    prompts: Prompt[],
    cacheKey: string,
    onPreview: PreviewHandler,
    onStage: (stage: MatteStage) => void = () => {},
  ): Promise<MatteResult> {
    const runner = this.runner;
    if (!runner) throw new Error('the model is not loaded');
    const gen = this.generation;
    const result = await runner.matte(image, prompts, {
      cacheKey,
      onStage: (stage) => {
        if (gen !== this.generation) return;
        onStage(stage);
        this.emit({ type: 'stage', stage });
      },
      // A run given up for WASM may still finish in the background, after the redo's result.
      onPreview: (preview) => (gen === this.generation ? onPreview(preview) : undefined),
    });
    if (this.deviceLost && this.backend === 'webgpu') {
      // The device went away during the run: its outputs cannot be trusted.
      throw new Error(`GPU device lost: ${this.deviceLost}`);
    }
    return result;
  }

  private async start(backend: Backend): Promise<void> {
    const gen = ++this.generation;
    this.deviceLost = null;
    const starting = this.create(backend, gen);
    if (backend !== 'webgpu') return starting;
    const ms = this.gpuStartTimeoutMs;
    await withTimeout(starting, ms, () => new Error(`timed out after ${durationText(ms)}`));
  }

  private async create(backend: Backend, gen: number): Promise<void> {
    const handle = await this.factory(backend);
    // WebGPU may still fall back to WASM, so its start takes in every session; on WASM a first
    // job starts once the encoder's is made and meets a later session's failure itself.
    if (backend === 'webgpu') {
      try {
        await handle.runner.loaded?.();
      } catch (err) {
        void handle.runner.release().catch(() => {});
        throw err;
      }
    }
    if (gen !== this.generation) {
      // Gave up on this start (timeout) and moved on: free what arrived late.
      void handle.runner.release().catch(() => {});
      throw new Error(`${backend} start was abandoned`);
    }
    this.backend = backend;
    this.runner = handle.runner;
    this.gpuUntried = backend === 'webgpu';
    this.emit({ type: 'backend', backend });
    handle.lost?.then((reason) => {
      if (gen === this.generation) this.deviceLost = reason || 'unknown reason';
    });
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
