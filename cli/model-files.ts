// Finding and loading the shipped ONNX pair for the CLI, and picking an ORT build. model.json
// names the two graphs, so a re-export under other names needs no change here.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../core/errors';
import { parseModelConfig, type SmatModelConfig } from '../core/model-config';
import { SmatRunner, type OrtModuleLike } from '../core/smat-runner';

const CONFIG_FILE = 'model.json';

const EXPORT_HINT = 'export them with PYTHONPATH=. python3 -m smat_model.export.export_onnx, or pass --models DIR';

/** models/ next to the package root, wherever the command is run from. */
export function defaultModelDir(): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'models');
}

async function readModelConfig(modelDir: string): Promise<SmatModelConfig> {
  const path = join(modelDir, CONFIG_FILE);
  if (!existsSync(path)) throw new Error(`model files missing in ${modelDir}: ${CONFIG_FILE} (${EXPORT_HINT})`);
  try {
    return parseModelConfig(JSON.parse(await readFile(path, 'utf8')));
  } catch (err) {
    throw new Error(`cannot read ${path}: ${errorMessage(err)}`);
  }
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

export async function createRunner(dir: string | undefined, threads?: number): Promise<SmatRunner> {
  const modelDir = resolve(dir ?? defaultModelDir());
  const config = await readModelConfig(modelDir);
  const missing = [config.encoder, config.head].filter((f) => !existsSync(join(modelDir, f)));
  if (missing.length > 0) throw new Error(`model files missing in ${modelDir}: ${missing.join(', ')} (${EXPORT_HINT})`);
  const [encoder, head] = await Promise.all([
    readFile(join(modelDir, config.encoder)),
    readFile(join(modelDir, config.head)),
  ]);
  const ort = await loadOrt();
  const sessionOptions: Record<string, unknown> = { graphOptimizationLevel: 'all' };
  if (threads) sessionOptions.intraOpNumThreads = threads;
  try {
    return await SmatRunner.create({
      ort,
      encoder: new Uint8Array(encoder.buffer, encoder.byteOffset, encoder.byteLength),
      head: new Uint8Array(head.buffer, head.byteOffset, head.byteLength),
      config,
      sessionOptions,
    });
  } catch (err) {
    throw new Error(`cannot load the models from ${modelDir}: ${errorMessage(err)}`);
  }
}
