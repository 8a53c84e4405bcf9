// Apply's PNG made in a worker started from the bundled worker source (ui/result-png-worker.ts,
// a string in ui.html: a blob: URL, nothing fetched). A page that cannot start or keep the worker
// makes the PNG on its own thread instead, which gives the same bytes, later; the console says so.
import { errorMessage } from '../core/errors';
import { encodeResultPng, resultPngHere, type ResultPngInputs, type ResultPngMaker } from './result-png';

type Answer = { id: number; png: Uint8Array } | { id: number; error: string };

export function resultPngInWorker(workerSource: string): ResultPngMaker {
  let worker: Worker;
  try {
    worker = new Worker(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' })));
  } catch (err) {
    console.warn(`SMat: Apply's PNG is made on the panel's thread (no worker: ${errorMessage(err)})`);
    return resultPngHere;
  }
  const pending = new Map<
    number,
    { inputs: ResultPngInputs; resolve: (png: Uint8Array) => void; reject: (e: Error) => void }
  >();
  let nextId = 1;
  let broken = false;
  worker.onmessage = (event: MessageEvent<Answer>) => {
    const answer = event.data;
    const request = pending.get(answer.id);
    if (!request) return;
    pending.delete(answer.id);
    if ('png' in answer) request.resolve(answer.png);
    else request.reject(new Error(answer.error));
  };
  // The worker itself failed (not one PNG): what it had and all later ones are made here.
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    broken = true;
    worker.terminate();
    console.warn(`SMat: Apply's PNG is made on the panel's thread (the worker failed: ${event.message})`);
    for (const [id, request] of pending) {
      pending.delete(id);
      try {
        request.resolve(encodeResultPng(request.inputs));
      } catch (err) {
        request.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };
  return {
    get offThread() {
      return !broken;
    },
    make(inputs) {
      if (broken) return resultPngHere.make(inputs);
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { inputs, resolve, reject });
        worker.postMessage({ id, inputs });
      });
    },
  };
}
