// The sandbox's asset stream (src/assets/stream-assets.ts) into the UI's receiver: bytes arrive
// whole, and a missing, corrupt or stalled asset ends in a message the user can act on.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AssetChunkMessage, AssetMissingMessage, UiToSandbox } from '../core/messages';
import type { BundledAssets } from '../src/assets/bundled-assets';
import { streamAssets } from '../src/assets/stream-assets';
import { AssetReceiver } from '../ui/asset-receiver';

// Incompressible (xorshift) bytes, so the gzip text spans many pieces.
let seed = 2463534242;
const raw = Uint8Array.from({ length: 200_000 }, () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed & 255;
});
const assets: BundledAssets = { encoder: { rawBytes: raw.length, gzipBase64: gzipSync(raw).toString('base64') } };

/** A receiver wired to a sandbox that answers with `streamAssets`, optionally tampering with the pieces. */
function wire(
  tamper: (m: AssetChunkMessage | AssetMissingMessage) => (AssetChunkMessage | AssetMissingMessage)[] = (m) => [m],
  stallMs?: number,
) {
  const requests: UiToSandbox[] = [];
  const receiver: AssetReceiver = new AssetReceiver(
    (msg) => {
      requests.push(msg);
      if (msg.type === 'assets-request') {
        const pieces: (AssetChunkMessage | AssetMissingMessage)[] = [];
        streamAssets((m) => pieces.push(...tamper(m)), assets, msg.names, 4096);
        queueMicrotask(() => {
          for (const m of pieces) receiver.onMessage(m);
        });
      }
    },
    undefined,
    stallMs,
  );
  return { receiver, requests };
}

describe('asset stream: sandbox -> UI', () => {
  it('reassembles and gunzips an asset sent in many pieces', async () => {
    const { receiver, requests } = wire();
    const got = await receiver.request(['encoder']).encoder;
    expect(requests).toEqual([{ type: 'assets-request', names: ['encoder'] }]);
    expect(got.length).toBe(raw.length);
    expect(Buffer.from(got).equals(Buffer.from(raw))).toBe(true);
  });

  it('an asset the build does not carry: says the build has no model', async () => {
    const { receiver } = wire();
    await expect(receiver.request(['decoder']).decoder).rejects.toThrow(
      /this build has no model head's decoder inside/,
    );
  });

  it('a damaged piece: says the asset is corrupt', async () => {
    const { receiver } = wire((m) => {
      if (m.type === 'asset-chunk' && m.index === 3)
        return [{ ...m, data: `${m.data.slice(0, 100)}AAAA${m.data.slice(104)}` }];
      return [m];
    });
    await expect(receiver.request(['encoder']).encoder).rejects.toThrow(/model encoder is corrupt/);
  });

  it('a lost piece: says the asset is corrupt', async () => {
    const { receiver } = wire((m) => (m.type === 'asset-chunk' && m.index === 2 ? [] : [m]));
    await expect(receiver.request(['encoder']).encoder).rejects.toThrow(
      /model encoder is corrupt: piece 3 arrived, 2 was expected/,
    );
  });

  it('a sandbox that stops sending: gives up with a message instead of waiting forever', async () => {
    const { receiver } = wire((m) => (m.type === 'asset-chunk' && m.index > 5 ? [] : [m]), 200);
    await expect(receiver.request(['encoder']).encoder).rejects.toThrow(/the plugin sent no model encoder for 0 s/);
  });
});
