// The sandbox bundle (src/main.ts, built the way build.mjs builds it) inside QuickJS with the fake
// Figma API bridged in: a menu command becomes a job for the UI, and an asset request is answered
// with pieces that reassemble into the bundled bytes. The full flow with the real UI and model is
// test/e2e/figma-faithful.e2e.ts.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AssetChunkMessage, JobMessage, SandboxToUi } from '../core/messages';
import { encodePng } from '../core/image-codecs';
import { ASSET_CHUNK_CHARS } from '../src/assets/stream-assets';
import { FakePluginHost } from './fake-figma/fake-plugin-host';
import { runPluginInQuickJs, type PluginVm } from './figma-sandbox/run-plugin-in-quickjs';
import { withAssetsPrelude } from '../tools/code-assets-prelude.mjs';

const root = resolve(__dirname, '..');

async function sandboxBundle(assets: Record<string, { rawBytes: number; gzipBase64: string }>): Promise<string> {
  const result = await build({
    entryPoints: [join(root, 'src/main.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2017',
    write: false,
    logLevel: 'error',
  });
  return withAssetsPrelude(assets, result.outputFiles[0].text);
}

function photoPng(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i * 7) % 256, (i * 13) % 256, 90, 255], 4 * i);
  return encodePng({ width, height, data });
}

let vm: PluginVm | null = null;
afterEach(() => {
  vm?.dispose();
  vm = null;
});

describe('the sandbox bundle (src/main.ts) in QuickJS', () => {
  it('auto-matte: shows the UI, then sends the selected image as a job once the UI is ready', async () => {
    const toUi: SandboxToUi[] = [];
    let shown = '';
    const host = new FakePluginHost('auto-matte', {
      showUI: (html) => (shown = html),
      toUi: (m) => toUi.push(m as SandboxToUi),
    });
    const png = photoPng(40, 30);
    const node = host.shape('RECTANGLE', 'Photo', 40, 30);
    const { hash } = host.storeImage(png, 40, 30);
    node.fills = [{ type: 'IMAGE', imageHash: hash, scaleMode: 'FILL' }];
    host.select(node);

    vm = await runPluginInQuickJs(await sandboxBundle({}), '<p>ui</p>', host);
    expect(shown).toBe('<p>ui</p>');
    expect(toUi).toEqual([]);
    vm.fromUi({ type: 'ui-ready' });
    // The session reads the image bytes through a promise the host settles on a later tick.
    const job = await vi.waitFor(() => {
      const found = toUi.find((m): m is JobMessage => m.type === 'job');
      if (!found) throw new Error(`no job yet: ${JSON.stringify(toUi)}`);
      return found;
    });
    expect(job.mode).toBe('auto');
    expect([job.width, job.height]).toEqual([40, 30]);
    expect(Array.from(job.imageBytes!)).toEqual(Array.from(png));
    expect(vm.vmErrors).toEqual([]);
  });

  it('matte-with-prompts: a red dot and a dot named "− sky" reach the job as "not this" clicks', async () => {
    const toUi: SandboxToUi[] = [];
    const host = new FakePluginHost('matte-with-prompts', {
      showUI: () => {},
      toUi: (m) => toUi.push(m as SandboxToUi),
    });
    const node = host.shape('RECTANGLE', 'Photo', 40, 30);
    const { hash } = host.storeImage(photoPng(40, 30), 40, 30);
    node.fills = [{ type: 'IMAGE', imageHash: hash, scaleMode: 'FILL' }];
    const box = host.shape('RECTANGLE', 'Box', 20, 20);
    box.fills = [{ type: 'SOLID', color: { r: 0.9, g: 0.1, b: 0.1 } }];
    const red = host.shape('ELLIPSE', 'Ellipse 1', 4, 4);
    red.fills = [{ type: 'SOLID', color: { r: 0.9, g: 0.1, b: 0.1 } }];
    red.x = 28;
    red.y = 8;
    const named = host.shape('ELLIPSE', '\u2212 sky', 4, 4);
    named.x = 28;
    named.y = 18;
    host.select(node);

    vm = await runPluginInQuickJs(await sandboxBundle({}), '', host);
    vm.fromUi({ type: 'ui-ready' });
    const job = await vi.waitFor(() => {
      const found = toUi.find((m): m is JobMessage => m.type === 'job');
      if (!found) throw new Error(`no job yet: ${JSON.stringify(toUi)}`);
      return found;
    });
    expect(job.prompts).toEqual([
      { kind: 'box', x: 0, y: 0, width: 20, height: 20 },
      { kind: 'point', x: 30, y: 10, negative: true },
      { kind: 'point', x: 30, y: 20, negative: true },
    ]);
    expect(vm.vmErrors).toEqual([]);
  });

  it('answers an asset request with in-order pieces that reassemble to the bytes, and says what is missing', async () => {
    const raw = Uint8Array.from({ length: 3_000_000 }, (_, i) => (i * 2654435761) >>> 24);
    const gzipBase64 = gzipSync(raw).toString('base64');
    const toUi: SandboxToUi[] = [];
    const host = new FakePluginHost('', { showUI: () => {}, toUi: (m) => toUi.push(m as SandboxToUi) });
    vm = await runPluginInQuickJs(await sandboxBundle({ encoder: { rawBytes: raw.length, gzipBase64 } }), '', host);
    vm.fromUi({ type: 'assets-request', names: ['encoder', 'decoder'] });
    const chunks = toUi.filter((m): m is AssetChunkMessage => m.type === 'asset-chunk');
    expect(chunks.length).toBe(Math.ceil(gzipBase64.length / ASSET_CHUNK_CHARS));
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    expect(chunks.every((c) => c.rawBytes === raw.length && c.count === chunks.length)).toBe(true);
    expect(chunks.map((c) => c.data).join('')).toBe(gzipBase64);
    expect(toUi[toUi.length - 1]).toEqual({ type: 'asset-missing', name: 'decoder' });
    expect(vm.vmErrors).toEqual([]);
  });
});
