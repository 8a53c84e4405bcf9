// The UI's side of the asset stream (core/messages.ts: 'assets-request' -> 'asset-chunk' /
// 'asset-missing'). Each asset is gunzipped while its pieces arrive, so the page never holds the
// whole compressed text and the decompressed bytes at the same time.
import type { AssetChunkMessage, AssetMissingMessage, AssetName, UiToSandbox } from '../core/messages';
import { errorMessage } from '../core/errors';
import { base64ToBytes } from './base64-to-bytes';

/** The build does not carry this asset (e.g. built without models, or without the WebGPU runtime). */
export class AssetMissingError extends Error {
  constructor(readonly asset: AssetName) {
    const how =
      asset === 'ort-wasm-webgpu'
        ? 'build it with --runtimes ort-wasm,ort-wasm-webgpu'
        : 'build it with the model in models/';
    super(`this build has no ${describe(asset)} inside (${how})`);
  }
}

/** With no piece for this long the sandbox is not sending (an old or broken code.js): say so. */
export const ASSET_STALL_MS = 60_000;

interface Incoming {
  next: number;
  rawBytes: number;
  writer: WritableStreamDefaultWriter<Uint8Array> | null;
  reject: (error: Error) => void;
  settled: boolean;
}

export class AssetReceiver {
  private incoming = new Map<AssetName, Incoming>();
  private stallTimer: ReturnType<typeof setTimeout> | null = null;
  /** base64 characters received so far over all requested assets, for the progress bar. */
  receivedChars = 0;

  constructor(
    private readonly post: (message: UiToSandbox) => void,
    private readonly onProgress: (name: AssetName, index: number, count: number) => void = () => {},
    private readonly stallMs = ASSET_STALL_MS,
  ) {}

  /** Asks the sandbox for `names`; each promise gives the asset's bytes or a readable Error. */
  request(names: AssetName[]): Record<AssetName, Promise<Uint8Array>> {
    const out = {} as Record<AssetName, Promise<Uint8Array>>;
    for (const name of names) out[name] = this.expect(name);
    this.post({ type: 'assets-request', names });
    this.armStallTimer();
    return out;
  }

  /** True when the message was part of the asset stream (and has been handled). */
  onMessage(msg: { type: string }): boolean {
    if (msg.type === 'asset-chunk') {
      this.onChunk(msg as AssetChunkMessage);
      return true;
    }
    if (msg.type === 'asset-missing') {
      const { name } = msg as AssetMissingMessage;
      this.fail(name, new AssetMissingError(name));
      return true;
    }
    return false;
  }

  private expect(name: AssetName): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const entry: Incoming = { next: 0, rawBytes: -1, writer: null, reject, settled: false };
      this.incoming.set(name, entry);
      if (typeof DecompressionStream === 'undefined') {
        this.fail(name, new Error('this browser cannot unpack the model (no DecompressionStream)'));
        return;
      }
      const stream = new DecompressionStream('gzip');
      entry.writer = stream.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>;
      // A failed write also fails the readable side, which rejects below: nothing else to report.
      entry.writer.closed.catch(() => {});
      readAll(stream.readable).then(
        (bytes) => {
          if (bytes.length !== entry.rawBytes) {
            this.fail(
              name,
              new Error(`the ${describe(name)} is corrupt: ${bytes.length} bytes instead of ${entry.rawBytes}`),
            );
            return;
          }
          this.settle(name);
          resolve(bytes);
        },
        (error: unknown) => this.fail(name, new Error(`the ${describe(name)} is corrupt (${errorMessage(error)})`)),
      );
    });
  }

  private onChunk(msg: AssetChunkMessage): void {
    const entry = this.incoming.get(msg.name);
    if (!entry || entry.settled || !entry.writer) return;
    this.armStallTimer();
    if (msg.index !== entry.next || (entry.rawBytes >= 0 && msg.rawBytes !== entry.rawBytes)) {
      this.fail(
        msg.name,
        new Error(`the ${describe(msg.name)} is corrupt: piece ${msg.index} arrived, ${entry.next} was expected`),
      );
      return;
    }
    entry.rawBytes = msg.rawBytes;
    entry.next++;
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(msg.data);
    } catch (error) {
      this.fail(msg.name, new Error(`the ${describe(msg.name)} is corrupt (${errorMessage(error)})`));
      return;
    }
    this.receivedChars += msg.data.length;
    // Not awaited: pieces queue inside the stream in order, while the reader drains it.
    entry.writer.write(bytes).catch(() => {});
    if (entry.next === msg.count) entry.writer.close().catch(() => {});
    this.onProgress(msg.name, msg.index, msg.count);
  }

  private fail(name: AssetName, error: Error): void {
    const entry = this.incoming.get(name);
    if (!entry || entry.settled) return;
    entry.settled = true;
    entry.writer?.abort(error).catch(() => {});
    entry.reject(error);
    this.afterSettle();
  }

  private settle(name: AssetName): void {
    const entry = this.incoming.get(name);
    if (entry) entry.settled = true;
    this.afterSettle();
  }

  private afterSettle(): void {
    if ([...this.incoming.values()].every((e) => e.settled) && this.stallTimer !== null) {
      clearTimeout(this.stallTimer);
      this.stallTimer = null;
    }
  }

  private armStallTimer(): void {
    if (this.stallTimer !== null) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      for (const [name, entry] of this.incoming) {
        if (!entry.settled) {
          const error = new Error(
            `the plugin sent no ${describe(name)} for ${Math.round(this.stallMs / 1000)} s (is dist/code.js from the same build?)`,
          );
          this.fail(name, error);
        }
      }
    }, this.stallMs);
  }
}

/** Reads a stream to the end itself, so a decompression error keeps its own message. */
async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = readable.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function describe(name: AssetName): string {
  switch (name) {
    case 'ort-wasm':
    case 'ort-wasm-webgpu':
      return `runtime (${name})`;
    case 'model-config':
      return 'model configuration';
    case 'encoder':
      return 'model encoder';
    case 'saliency':
      return "model head's automatic candidate";
    case 'prompted':
      return "model head's prompted candidate";
    case 'decoder':
      return "model head's decoder";
    case 'refiner':
      return "model head's edge refiner";
  }
}
