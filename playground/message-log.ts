// Every message between the page (playing the sandbox) and the UI, with a timestamp: shown in the
// page's "Messages" list and read by the e2e test through window.playground.
import type { SandboxToUi, UiToSandbox } from '../core/messages';

export type LogEntry = { dir: '→ui'; t: number; msg: SandboxToUi } | { dir: 'ui→'; t: number; msg: UiToSandbox };

/** Returns true once it has seen the entry it waits for, and is then dropped. */
type Waiter = (entry: LogEntry) => boolean;

export class MessageLog {
  readonly entries: LogEntry[] = [];
  private waiters: Waiter[] = [];

  constructor(private readonly list: HTMLElement) {}

  record(entry: Omit<LogEntry, 't'>): void {
    const logged = { ...entry, t: performance.now() } as LogEntry;
    this.entries.push(logged);
    const li = document.createElement('li');
    li.textContent = `${(logged.t / 1000).toFixed(2)}s ${logged.dir} ${summary(logged.msg)}`;
    this.list.append(li);
    this.list.scrollTop = this.list.scrollHeight;
    for (const waiter of this.waiters.splice(0)) if (!waiter(logged)) this.waiters.push(waiter);
  }

  /** Resolves with the first entry `pred` accepts (already logged ones included). */
  waitFor(pred: (entry: LogEntry) => boolean): Promise<LogEntry> {
    const hit = this.entries.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve) =>
      this.waiters.push((e) => {
        if (!pred(e)) return false;
        resolve(e);
        return true;
      }),
    );
  }
}

/** One line per message: bytes and the long base64 asset pieces would swamp the list. */
function summary(msg: object): string {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg ?? {})) {
    copy[k] =
      v instanceof Uint8Array
        ? `<${v.length} bytes>`
        : typeof v === 'string' && v.length > 200
          ? `<${v.length} chars>`
          : v;
  }
  return JSON.stringify(copy).slice(0, 240);
}
