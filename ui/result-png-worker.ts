// The worker that makes Apply's PNG off the page's thread (ui/result-png.ts): the page's one
// thread stays free for the panel and the model. build.mjs bundles this file on its own and puts
// it into ui.html as a string, started from a blob: URL (nothing is fetched).
import { encodeResultPng, type ResultPngInputs } from './result-png';

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
    const png = encodeResultPng(inputs);
    scope.postMessage({ id, png }, [png.buffer]);
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
