// The runtime and model dist/code.js carries, as the server hands them out (playground/server.mjs
// reads them out of code.js), sent to the UI in the same pieces the real sandbox sends.
import type { AssetChunkMessage, AssetMissingMessage, AssetName } from '../core/messages';
import type { BundledAssets } from '../src/assets/bundled-assets';
import { streamAssets } from '../src/assets/stream-assets';

export async function streamServerAssets(
  post: (message: AssetChunkMessage | AssetMissingMessage) => void,
  names: readonly AssetName[],
): Promise<void> {
  // One asset at a time, so the UI can unpack the first while the next is fetched.
  for (const name of names) {
    const res = await fetch(`/assets/${encodeURIComponent(name)}`);
    const assets: BundledAssets = res.ok ? { [name]: await res.json() } : {};
    streamAssets(post, assets, [name]);
  }
}
