// Some WebGPU calls never settle on a broken driver (requestAdapter, session creation, a first run):
// waiting on them must end, so that the panel can move to WASM.

/** `work`'s outcome, or the rejection `error()` makes once `ms` have passed first. */
export function withTimeout<T>(work: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (failure: unknown) => {
        clearTimeout(timer);
        reject(failure);
      },
    );
  });
}

export function durationText(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
