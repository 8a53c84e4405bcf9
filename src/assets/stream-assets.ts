// Sends bundled assets to the UI as 'asset-chunk' messages (core/messages.ts). The base64 text is
// sliced, never decoded here: decoding in the sandbox's interpreter costs about a second per MiB,
// while the UI decodes natively.
import type { AssetChunkMessage, AssetMissingMessage, AssetName } from '../../core/messages';
import type { BundledAssets } from './bundled-assets';

/**
 * Characters of base64 per message: a multiple of 4 so each piece decodes on its own, and small
 * enough that the UI can decompress while later pieces are still on their way.
 */
export const ASSET_CHUNK_CHARS = 1 << 20;

export function streamAssets(
  post: (message: AssetChunkMessage | AssetMissingMessage) => void,
  assets: BundledAssets,
  names: readonly AssetName[],
  chunkChars: number = ASSET_CHUNK_CHARS,
): void {
  if (chunkChars <= 0 || chunkChars % 4 !== 0)
    throw new Error(`chunk size ${chunkChars} is not a positive multiple of 4`);
  for (const name of names) {
    const asset = assets[name];
    if (!asset) {
      post({ type: 'asset-missing', name });
      continue;
    }
    const text = asset.gzipBase64;
    const count = Math.max(1, Math.ceil(text.length / chunkChars));
    for (let index = 0; index < count; index++) {
      const data = text.slice(index * chunkChars, (index + 1) * chunkChars);
      post({ type: 'asset-chunk', name, index, count, rawBytes: asset.rawBytes, data });
    }
  }
}
