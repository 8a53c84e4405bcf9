// models/model.json, written by the Python export. Only the keys the runtime needs are checked;
// anything else in the file (names, versions, metrics) is carried along untouched.
import { IMAGENET_MEAN, IMAGENET_STD } from './letterbox';

export interface SmatModelConfig {
  inputSize: number;
  mean: readonly number[];
  std: readonly number[];
  [extra: string]: unknown;
}

export function parseModelConfig(json: unknown): SmatModelConfig {
  if (typeof json !== 'object' || json === null) throw new Error('model.json: expected a JSON object');
  const cfg = json as Record<string, unknown>;
  const size = cfg.inputSize;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 16 || size % 16 !== 0) {
    throw new Error(`model.json: inputSize must be a positive multiple of 16, got ${JSON.stringify(size)}`);
  }
  const triple = (name: string, fallback: readonly number[]): readonly number[] => {
    const v = cfg[name];
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new Error(`model.json: ${name} must be three numbers`);
    }
    return v as number[];
  };
  const std = triple('std', IMAGENET_STD);
  if (std.some((s) => s === 0)) throw new Error('model.json: std must not contain 0');
  return { ...cfg, inputSize: size, mean: triple('mean', IMAGENET_MEAN), std };
}
