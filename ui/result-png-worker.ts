// The worker that makes Apply's PNG off the page's thread (ui/result-png.ts): the page's one
// thread stays free for the panel and the model. build.mjs bundles this file on its own and puts
// it into ui.html as a string, started from a blob: URL (nothing is fetched).
import { Scratch } from '../core/scratch';
import { warmUpImage } from '../core/warm-up-image';
import { encodeResultPng, type ResultPngInputs } from './result-png';

// Kept for the worker's life: each PNG's edge-colour planes reuse the last one's pages.
const scratch = new Scratch();

/** Apply's steps once on a small cut-out as the worker starts (core/warm-up-image.ts). */
function warmUp(): void {
  const { image, alpha } = warmUpImage();
  encodeResultPng({ source: image, alpha, output: 'cutout', decontaminate: true }, scratch);
}
warmUp();

interface Request {
  id: number;
  inputs: ResultPngInputs;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

scope.onmessage = (event) => {
  const { id, inputs } = event.data;
  try {
    const png = encodeResultPng(inputs, scratch);
    scope.postMessage({ id, png }, [png.buffer]);
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
