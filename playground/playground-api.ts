// window.playground: hooks for scripts, the e2e test (test/e2e/) and the README screenshot
// (tools/make-playground-screenshot.ts) to drive the page without a mouse.
import type { MatteMode, SandboxToUi } from '../core/messages';
import type { Prompt } from '../core/prompt-types';
import type { LogEntry } from './message-log';
import type { PlaygroundImage } from './playground-image';

export interface PlaygroundApi {
  /** Every message both ways, oldest first. */
  log: LogEntry[];
  images: PlaygroundImage[];
  /** Adds a photo and selects it. */
  addImage(name: string, bytes: Uint8Array | ArrayBuffer): Promise<PlaygroundImage>;
  /** Adds one of the server's example photos (/examples.json lists them). */
  loadExample(name: string): Promise<PlaygroundImage>;
  select(index: number): void;
  /** Replaces the current image's prompts. */
  setPrompts(prompts: Prompt[]): void;
  /** Sends one job for the current image and returns its id. */
  sendJob(mode: MatteMode): string | null;
  startBatch(mode: MatteMode, only?: PlaygroundImage | null): string | null;
  /** Posts a message to the UI as the sandbox would, and logs it. */
  send(message: SandboxToUi): void;
  readonly uiReady: boolean;
  /** Resolves with the first log entry `pred` accepts (already logged ones included). */
  waitFor(pred: (entry: LogEntry) => boolean): Promise<LogEntry>;
}

declare global {
  interface Window {
    playground: PlaygroundApi;
  }
}
