export interface CodeAsset {
  rawBytes: number;
  gzipBase64: string;
}
export function withAssetsPrelude(assets: Record<string, CodeAsset>, bundle: string): string;
export function readAssetsPrelude(code: string): Record<string, CodeAsset>;
