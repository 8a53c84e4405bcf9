// Milliseconds for timings: performance.now() where it exists (browsers, Node), Date.now() in
// hosts without it.
export const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
