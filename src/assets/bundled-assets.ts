// The binaries build.mjs puts in front of dist/code.js as one global, `__SMAT_ASSETS__`: each is
// gzip + base64 text. They live here rather than in ui.html because Figma shows the UI as a `data:`
// URL, which Chromium refuses over ~2 MB; the sandbox's code has no such limit.
import type { AssetName } from '../../core/messages';

export interface BundledAsset {
  /** Size after gunzip, so the UI can tell a truncated asset from a whole one. */
  rawBytes: number;
  gzipBase64: string;
}

export type BundledAssets = Partial<Record<AssetName, BundledAsset>>;

declare const __SMAT_ASSETS__: BundledAssets | undefined;

/** The assets this build carries; none when code.js was built without them (tests, a bare build). */
export function bundledAssets(): BundledAssets {
  return typeof __SMAT_ASSETS__ === 'undefined' ? {} : __SMAT_ASSETS__;
}
