// The model behind the panel: one runner on the chosen backend, with the WebGPU -> WASM fallback.
// Pure orchestration: the runner factory is injected (ui/ort-runtime.ts in the plugin, fakes in tests).
import type { RgbaImage } from '../core/rgba-image';
import type { Prompt } from '../core/prompt-types';
import type { MatteResult } from '../core/smat-runner';
import { backendLabel, messageOf, type Backend } from './backend';

export type { MatteResult };

/** What the engine needs from core's SmatRunner (SmatRunner satisfies it). */
export interface RunnerLike {
  encode(image: RgbaImage, cacheKey: string): Promise<{ cached: boolean }>;
  matte(image: RgbaImage, prompts: Prompt[], opts: { cacheKey?: string }): Promise<MatteResult>;
  warmUp(): Promise<unknown>;
  release(): Promise<unknown>;
}

export interface RunnerHandle {
  runner: RunnerLike;
  /** Resolves (with a reason) if the GPU device behind the runner is lost; never for WASM. */
  lost?: Promise<string>;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export type RunnerFactory = (backend: Backend) => Promise<RunnerHandle>;

export type EngineEvent =
  | { type: 'backend'; backend: Backend }
  | { type: 'notice'; message: string }
  | { type: 'phase'; phase: 'encoding' | 'matting' };

export class MatteEngine {
  backend: Backend;
  private runner: RunnerLike | null = null;
  private deviceLost: string | null = null;
  private generation = 0;

  constructor(
    private readonly factory: RunnerFactory,
    preferred: Backend,
    private readonly emit: (e: EngineEvent) => void = () => {},
  ) {
    this.backend = preferred;
  }

  get ready(): boolean {
    return this.runner !== null;
  }

  /** Creates the sessions and warms them up. A WebGPU failure falls back to WASM; a WASM failure throws. */
  async load(): Promise<void> {
    try {
      await this.start(this.backend);
    } catch (err) {
      if (this.backend !== 'webgpu') throw err;
      await this.fallBack(`WebGPU could not start (${messageOf(err)})`);
    }
  }

  /**
   * Mattes one image. `cacheKey` (the Figma image hash) lets a second run on the same image reuse
   * the encoder output. If WebGPU fails or its device is lost mid-run, the sessions are re-created
   * on WASM and the run is repeated there.
   */
  async matte(image: RgbaImage, prompts: Prompt[], cacheKey: string): Promise<MatteResult> {
    if (this.deviceLost && this.backend === 'webgpu') {
      await this.fallBack(`the GPU device was lost (${this.deviceLost})`);
    }
    try {
      return await this.run(image, prompts, cacheKey);
    } catch (err) {
      if (this.backend !== 'webgpu') throw err;
      const why = this.deviceLost ? `the GPU device was lost (${this.deviceLost})` : `WebGPU failed (${messageOf(err)})`;
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
    const { cached } = await runner.encode(image, cacheKey);
    const encodeMs = now() - t0;
    this.emit({ type: 'phase', phase: 'matting' });
    const result = await runner.matte(image, prompts, { cacheKey });
    if (this.deviceLost && this.backend === 'webgpu') {
      // The device went away during the run: its outputs cannot be trusted.
      throw new Error(`GPU device lost: ${this.deviceLost}`);
    }
    // The encoder ran in encode() above (matte() then found it cached): report it as part of this run.
    const t = result.timings;
    return {
      ...result,
      timings: {
        ...t,
        preprocessMs: 0,
        encoderMs: cached ? 0 : encodeMs,
        totalMs: t.totalMs + encodeMs,
        encoderCached: cached,
      },
    };
  }

  private async start(backend: Backend): Promise<void> {
    const gen = ++this.generation;
    this.deviceLost = null;
    const handle = await this.factory(backend);
    this.backend = backend;
    this.runner = handle.runner;
    this.emit({ type: 'backend', backend });
    handle.lost?.then((reason) => {
      if (gen === this.generation) this.deviceLost = reason || 'unknown reason';
    });
    await handle.runner.warmUp();
  }

  private async fallBack(why: string): Promise<void> {
    await this.release();
    this.emit({ type: 'notice', message: `${why}; switched to ${backendLabel('wasm')}.` });
    await this.start('wasm');
  }
}
