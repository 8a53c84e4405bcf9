// The boundary check for UI -> sandbox messages. figma.ui.onmessage hands over whatever the iframe
// posted; a malformed one must become a clear error here, not a TypeError deep in write-back.
import type { AssetName, UiToSandbox } from '../../core/messages';

export type ParsedUiMessage =
  | { ok: true; message: UiToSandbox }
  /** `jobId`: the job the bad message was about, when it named one, so that job can be ended. */
  | { ok: false; error: string; jobId: string | null };

const MODES: ReadonlySet<unknown> = new Set(['auto', 'prompts']);
const OUTPUTS: ReadonlySet<unknown> = new Set(['cutout', 'mask']);
/** A Record, so tsc fails here when core/messages.ts gains an asset this list lacks. */
const ASSETS: Record<AssetName, true> = {
  'ort-wasm': true,
  'ort-wasm-webgpu': true,
  'model-config': true,
  encoder: true,
  saliency: true,
  prompted: true,
  decoder: true,
  refiner: true,
};
const ASSET_NAMES: ReadonlySet<unknown> = new Set(Object.keys(ASSETS));
const isAssetName = (name: unknown): name is AssetName => ASSET_NAMES.has(name);

export function parseUiMessage(raw: unknown): ParsedUiMessage {
  if (typeof raw !== 'object' || raw === null) return bad(`expected an object, got ${describe(raw)}`, null);
  const m = raw as Record<string, unknown>;
  const jobId = typeof m.jobId === 'string' ? m.jobId : null;
  const fail = (why: string) => bad(`"${String(m.type)}" ${why}`, jobId);
  switch (m.type) {
    case 'ui-ready':
    case 'close':
      return { ok: true, message: { type: m.type } };
    case 'run':
      if (!MODES.has(m.mode)) return fail(`has mode ${describe(m.mode)}; expected "auto" or "prompts"`);
      // Absent reads as "holds none": the safe answer is to send the photo.
      if (m.heldImageHash !== undefined && m.heldImageHash !== null && typeof m.heldImageHash !== 'string')
        return fail(`names ${describe(m.heldImageHash)} as the image it holds`);
      return {
        ok: true,
        message: { type: 'run', mode: m.mode as 'auto' | 'prompts', heldImageHash: m.heldImageHash || null },
      };
    case 'skip':
      if (jobId === null) return fail('has no job id');
      return { ok: true, message: { type: 'skip', jobId } };
    case 'failed':
      if (m.jobId !== null && jobId === null) return fail('has no job id');
      if (typeof m.message !== 'string') return fail('has no message');
      return { ok: true, message: { type: 'failed', jobId, message: m.message } };
    case 'apply': {
      if (jobId === null) return fail('has no job id');
      if (!(m.pngBytes instanceof Uint8Array)) return fail(`carries ${describe(m.pngBytes)} instead of PNG bytes`);
      if (!OUTPUTS.has(m.output)) return fail(`has output ${describe(m.output)}; expected "cutout" or "mask"`);
      const ids = m.promptLayerIds;
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
        return fail('has no list of prompt layer ids');
      return {
        ok: true,
        message: {
          type: 'apply',
          jobId,
          pngBytes: m.pngBytes,
          output: m.output as 'cutout' | 'mask',
          promptLayerIds: ids as string[],
        },
      };
    }
    case 'assets-request': {
      const names = m.names;
      if (!Array.isArray(names) || !names.every(isAssetName)) return fail('names an unknown asset');
      return { ok: true, message: { type: 'assets-request', names } };
    }
    default:
      return bad(`unknown message type ${describe(m.type)}`, jobId);
  }
}

function bad(why: string, jobId: string | null): ParsedUiMessage {
  return {
    ok: false,
    error: `The SMat panel sent a message the plugin cannot use (${why}). Nothing was written; close and reopen the plugin.`,
    jobId,
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value;
}
