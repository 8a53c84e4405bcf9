// Finding, verifying and loading the shipped ONNX graphs for the CLI, and picking an ORT build.
// model.json names the graphs and records their sizes and SHA-256, so a re-export under other
// names, or with more graphs, needs no change here.
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { errorMessage, InputFileError } from '../core/errors';
import {
  byGraphRole,
  graphFileNames,
  parseModelConfig,
  type ModelGraphs,
  type SmatModelConfig,
} from '../core/model-config';
import { SmatRunner, type OrtModuleLike } from '../core/smat-runner';
import { readVerifiedModelFiles } from '../tools/verify-model-files.mjs';
import { checkingGraphShapes } from './check-graph-shapes';
import { readInputFile } from './read-input-file';

const CONFIG_FILE = 'model.json';
/** model.json is a few hundred bytes; anything near this is not one. */
const MAX_CONFIG_BYTES = 1 << 20;

const EXPORT_HINT = 'export them with PYTHONPATH=. python3 -m smat_model.export.export_onnx, or pass --models DIR';

/** models/ next to the package root, wherever the command is run from. */
export function defaultModelDir(): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'models');
}

export interface ModelFiles {
  dir: string;
  config: SmatModelConfig;
  graphs: ModelGraphs;
}

/**
 * model.json and the graphs it names, each graph checked against the size and SHA-256 that
 * model.json records: a damaged graph (a bad copy, a partial download, a flipped bit) still loads
 * and runs, and would give wrong or empty mattes without a word. Hashing the ~20 MB takes 15-70 ms.
 */
export function readModelFiles(dir: string | undefined): ModelFiles {
  const modelDir = resolve(dir ?? defaultModelDir());
  const configPath = join(modelDir, CONFIG_FILE);
  if (!existsSync(configPath)) throw new Error(`model files missing in ${modelDir}: ${CONFIG_FILE} (${EXPORT_HINT})`);
  let config: SmatModelConfig;
  try {
    const text = new TextDecoder().decode(readInputFile(configPath, 'model config', { maxBytes: MAX_CONFIG_BYTES }));
    config = parseModelConfig(JSON.parse(text));
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new Error(`cannot read ${configPath}: ${errorMessage(err)}`);
  }
  const needed = graphFileNames(config);
  const { files, missing, problems } = readVerifiedModelFiles(modelDir, config, needed);
  const absent = needed.filter((name) => missing.includes(name));
  if (absent.length > 0) throw new Error(`model files missing in ${modelDir}: ${absent.join(', ')} (${EXPORT_HINT})`);
  if (problems.length > 0 || missing.length > 0) {
    const all = [...missing.map((name) => `${name} is missing`), ...problems];
    throw new Error(
      `the model files in ${modelDir} do not match model.json: ${all.join('; ')} (damaged, or from another export): restore them, or re-export the model`,
    );
  }
  const bytes = (name: string) => {
    const b = files.get(name)!;
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  };
  return { dir: modelDir, config, graphs: byGraphRole((role) => bytes(config[role])) };
}

async function loadOrt(): Promise<OrtModuleLike> {
  // onnxruntime-node is native and several times faster; onnxruntime-web (WASM) is the fallback
  // where the native binary is missing (it is a devDependency).
  try {
    return (await import('onnxruntime-node')) as unknown as OrtModuleLike;
  } catch {
    return (await import('onnxruntime-web')) as unknown as OrtModuleLike;
  }
}

/** The cores this process may use: more ORT threads than that only wait for each other. */
export function coreCount(): number {
  return availableParallelism();
}

export async function createRunner(model: ModelFiles, threads?: number): Promise<SmatRunner> {
  const ort = await loadOrt();
  const sessionOptions: Record<string, unknown> = { graphOptimizationLevel: 'all' };
  if (threads) sessionOptions.intraOpNumThreads = threads;
  const order = graphFileNames(model.config);
  let created = 0;
  try {
    return await SmatRunner.create({
      ort: checkingGraphShapes(ort, model.config, () => order[created++] ?? 'graph'),
      graphs: model.graphs,
      config: model.config,
      sessionOptions,
    });
  } catch (err) {
    throw new Error(`cannot load the models from ${model.dir}: ${errorMessage(err)}`);
  }
}
