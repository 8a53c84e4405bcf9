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

  it('refuses a model.json without the constants the runtime needs', () => {
    for (const key of ['featureSize', 'pointRadiusFraction', 'minScribbleWidth', 'encoder', 'head']) {
      expect(() => parseModelConfig(without(key)), key).toThrow(new RegExp(`model.json: ${key}`));
    }
  });

  it('takes graph names only as bare file names next to model.json', () => {
    expect(() => parseModelConfig({ ...shipped, encoder: '../elsewhere.onnx' })).toThrow(/encoder must be a file name/);
  });
});
