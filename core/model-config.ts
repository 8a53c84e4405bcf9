// models/model.json, written by the Python export: the one source of the model's constants (input
// and feature size, normalisation, prompt geometry, graph file names). Only the keys the runtime
// needs are checked; anything else in the file (names, versions, metrics) is carried along untouched.
import { IMAGENET_MEAN, IMAGENET_STD } from './letterbox';

/** How prompts are drawn into the model's prompt mask; training fixed these, so they travel with the model. */
export interface PromptGeometry {
  /** Point radius as a fraction of the working size (the letterboxed square's side). */
  pointRadiusFraction: number;
  /** Thinnest brush, in model pixels. */
  minScribbleWidth: number;
}

export interface SmatModelConfig extends PromptGeometry {
  inputSize: number;
  /** Side of the head's similarity map (the encoder's feature grid). */
  featureSize: number;
  mean: readonly number[];
  std: readonly number[];
  /** File names of the two graphs, next to model.json. */
  encoder: string;
  head: string;
  [extra: string]: unknown;
}

export function parseModelConfig(json: unknown): SmatModelConfig {
  if (typeof json !== 'object' || json === null) throw new Error('model.json: expected a JSON object');
  const cfg = json as Record<string, unknown>;
  const size = cfg.inputSize;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 16 || size % 16 !== 0) {
    throw new Error(`model.json: inputSize must be a positive multiple of 16, got ${JSON.stringify(size)}`);
  }
  const positive = (name: string, integer: boolean): number => {
    const v = cfg[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      throw new Error(
        `model.json: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };
  const fileName = (name: string): string => {
    const v = cfg[name];
    // A bare name: the graphs live next to model.json, and a path could point anywhere.
    if (typeof v !== 'string' || v === '' || /[\\/]/.test(v) || v === '.' || v === '..') {
      throw new Error(`model.json: ${name} must be a file name next to model.json, got ${JSON.stringify(v)}`);
    }
    return v;
  };
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
  return {
    ...cfg,
    inputSize: size,
    featureSize: positive('featureSize', true),
    mean: triple('mean', IMAGENET_MEAN),
    std,
    pointRadiusFraction: positive('pointRadiusFraction', false),
    minScribbleWidth: positive('minScribbleWidth', false),
    encoder: fileName('encoder'),
    head: fileName('head'),
  };
}
