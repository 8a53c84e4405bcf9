// What happens on Ctrl-C (SIGINT) or SIGTERM: by default Node dies at once, which would leave a
// half-written temporary file beside an output and throw away `smat eval`'s finished scores. While
// the command runs, handlers registered here run first (synchronously: nothing async finishes once
// a signal has come), then the process exits with 128 + the signal's number, as a shell expects.

type Handler = (signal: NodeJS.Signals) => void;

const handlers = new Set<Handler>();
const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
let installed = false;

/** Runs `handler` if the command is interrupted; call the returned function once it no longer applies. */
export function onInterrupt(handler: Handler): () => void {
  install();
  handlers.add(handler);
  return () => handlers.delete(handler);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // Last registered first: an eval's summary is written before its temporary files are removed.
      for (const handler of [...handlers].reverse()) {
        try {
          handler(signal);
        } catch {
          // One failing clean-up must not keep the others from running.
        }
      }
      process.exit(EXIT_CODES[signal]);
    });
  }
}
