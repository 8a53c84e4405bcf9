// Decoding helper for the binaries the sandbox streams to the UI (ui/asset-receiver.ts): they are
// base64 text so they can sit in code.js as string literals. Nothing is fetched.

/** base64 -> bytes. Uses Uint8Array.fromBase64 where the browser has it, atob otherwise. */
export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/\s+/g, '');
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (typeof fromBase64 === 'function') return fromBase64(clean);
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
