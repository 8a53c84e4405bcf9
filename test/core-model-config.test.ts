import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../core/model-config';

const shipped = JSON.parse(readFileSync(join(resolve(__dirname, '..'), 'models', 'model.json'), 'utf8')) as Record<
  string,
  unknown
>;
const without = (key: string) => Object.fromEntries(Object.entries(shipped).filter(([k]) => k !== key));

describe('parseModelConfig', () => {
  it('reads the model constants from the shipped model.json', () => {
    const cfg = parseModelConfig(shipped);
    expect(cfg.inputSize).toBe(shipped.inputSize);
    expect(cfg.featureSize).toBe(shipped.featureSize);
    expect(cfg.pointRadiusFraction).toBe(shipped.pointRadiusFraction);
    expect(cfg.minScribbleWidth).toBe(shipped.minScribbleWidth);
    expect([cfg.encoder, cfg.head]).toEqual([shipped.encoder, shipped.head]);
  });

  it('carries the head configuration the export records (headConfig) along untouched', () => {
    const headConfig = { feature_dim: 256, edge_refiner_width: 8, scribble_points: 6 };
    expect(parseModelConfig({ ...shipped, headConfig }).headConfig).toEqual(headConfig);
  });

  it('refuses a model.json without the constants the runtime needs', () => {
    for (const key of [
      'featureSize',
      'pointRadiusFraction',
      'minScribbleWidth',
      'encoder',
      'saliency',
      'prompted',
      'decoder',
    ]) {
      expect(() => parseModelConfig(without(key)), key).toThrow(new RegExp(`model.json: ${key}`));
    }
  });

  it('takes graph names only as bare file names next to model.json', () => {
    expect(() => parseModelConfig({ ...shipped, encoder: '../elsewhere.onnx' })).toThrow(/encoder must be a file name/);
  });

  it('refuses values outside what the runtime can use, naming the field', () => {
    for (const [key, value, message] of [
      ['inputSize', 500, /inputSize must be a multiple of 16/],
      ['inputSize', 8192, /inputSize must be a multiple of 16 from 16 to 4096/],
      ['featureSize', 32, /featureSize must be inputSize \/ 16 = 48, got 32/],
      ['pointRadiusFraction', 0, /pointRadiusFraction must be a positive number at most 0.5, got 0/],
      ['pointRadiusFraction', 2, /pointRadiusFraction must be a positive number at most 0.5, got 2/],
      ['minScribbleWidth', -3, /minScribbleWidth must be a positive number/],
      ['minScribbleWidth', 10_000, /minScribbleWidth must be a positive number at most 768/],
      ['std', [58, 0, 57], /std must be three numbers above 0 and at most 255/],
      ['std', [58, 57, 1e9], /std must be three numbers above 0/],
      ['std', [58, -57, 57], /std must be three numbers above 0/],
      ['mean', [123, 116, 300], /mean must be three numbers from 0 to 255/],
    ] as const) {
      expect(() => parseModelConfig({ ...shipped, [key]: value }), `${key} ${value}`).toThrow(message);
    }
  });
});
