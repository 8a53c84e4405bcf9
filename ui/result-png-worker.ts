// The worker that makes Apply's PNG off the page's thread (ui/result-png.ts): the page's one
// thread stays free for the panel and the model. build.mjs bundles this file on its own and puts
// it into ui.html as a string, started from a blob: URL (nothing is fetched).
import { Scratch } from '../core/scratch';
import { encodeResultPng, type ResultPngInputs } from './result-png';

// Kept for the worker's life: each PNG's edge-colour planes reuse the last one's pages.
const scratch = new Scratch();

/**
 * A small cut-out with a soft edge, made once as the worker starts (while the model loads): the
 * first real PNG then runs compiled code, where it ran its loops unoptimised before.
 */
function warmUp(): void {
  const side = 192;
  const data = new Uint8Array(side * side * 4);
  const alpha = new Float32Array(side * side);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const i = y * side + x;
      data.set([x, y, (x + y) >> 1, 255], 4 * i);
      alpha[i] = Math.min(1, Math.max(0, (60 - Math.hypot(x - side / 2, y - side / 2)) / 8));
    }
  encodeResultPng(
    { source: { width: side, height: side, data }, alpha, output: 'cutout', decontaminate: true },
    scratch,
  );
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
