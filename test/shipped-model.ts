// Whether the repository's models/ holds a model to run: model.json and every graph it names.
// Tests that run the real model skip, saying so, where it is missing (a checkout without it).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { graphFileNames, parseModelConfig } from '../core/model-config';

export const shippedModelDir = resolve(__dirname, '..', 'models');

export function haveShippedModel(dir = shippedModelDir): boolean {
  const configPath = join(dir, 'model.json');
  if (!existsSync(configPath)) return false;
  const config = parseModelConfig(JSON.parse(readFileSync(configPath, 'utf8')));
  return graphFileNames(config).every((name) => existsSync(join(dir, name)));
}
