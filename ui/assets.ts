// Binaries that build.mjs inlined into ui.html as gzip+base64 text in
// <script type="application/x-smat-asset" id="asset-NAME">. Nothing is fetched over the network.

import { parseModelConfig, type SmatModelConfig } from '../core/model-config';

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

export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new Error('this browser cannot decompress the bundled model (no DecompressionStream)');
  }
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function hasAsset(doc: Document, name: string): boolean {
  return doc.getElementById(`asset-${name}`) !== null;
}

/**
 * Reads, decodes and removes (to free the text) one inlined binary.
 * Throws a readable Error when the asset is missing or corrupt.
 */
export async function readAsset(doc: Document, name: string): Promise<Uint8Array> {
  const el = doc.getElementById(`asset-${name}`);
  if (!el) throw new Error(`this build has no "${name}" inside (build with the models in models/)`);
  const text = el.textContent ?? '';
  const expected = Number(el.getAttribute('data-bytes') ?? NaN);
  el.remove();
  const bytes = await gunzip(base64ToBytes(text));
  if (Number.isFinite(expected) && bytes.length !== expected) {
    throw new Error(`"${name}" is corrupt: ${bytes.length} bytes instead of ${expected}`);
  }
  return bytes;
}

export function readModelConfig(doc: Document): SmatModelConfig {
  const el = doc.getElementById('asset-model-json');
  if (!el) throw new Error('this build has no model inside (models/ was empty when it was built)');
  return parseModelConfig(JSON.parse(el.textContent ?? ''));
}
