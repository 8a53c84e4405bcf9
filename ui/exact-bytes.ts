// A typed array that owns exactly its bytes. fast-png returns a view into its growing output
// buffer (up to twice the PNG); postMessage clones the whole underlying buffer, not the view.
export function exactBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
