// Finding and loading the shipped ONNX pair for the CLI, and picking an ORT build.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SmatRunner, type OrtModuleLike } from '../core/smat-runner';

export const ENCODER_FILE = 'smat-encoder.onnx';
export const HEAD_FILE = 'smat-head.onnx';
export const CONFIG_FILE = 'model.json';

/** models/ next to the package root, wherever the command is run from. */
export function defaultModelDir(): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'models');
}

export function missingModelFiles(dir: string): string[] {
  return [ENCODER_FILE, HEAD_FILE, CONFIG_FILE].filter((f) => !existsSync(join(dir, f)));
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
  const missing = missingModelFiles(modelDir);
  if (missing.length > 0) {
    throw new Error(`model files missing in ${modelDir}: ${missing.join(', ')} (export them with python3 -m smat_model.export, or pass --models DIR)`);
  }
  let config: unknown;
  try {
    config = JSON.parse(await readFile(join(modelDir, CONFIG_FILE), 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${join(modelDir, CONFIG_FILE)}: ${(err as Error).message}`);
  }
  const [encoder, head] = await Promise.all([readFile(join(modelDir, ENCODER_FILE)), readFile(join(modelDir, HEAD_FILE))]);
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
    throw new Error(`cannot load the models from ${modelDir}: ${(err as Error).message}`);
  }
}
