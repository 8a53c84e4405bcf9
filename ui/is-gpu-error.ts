// Is an error on the WebGPU backend the GPU's fault? Only then is re-running on WASM worth it: an
// error about the input ("every prompt lies outside the image", a bad size) would happen on WASM
// too, and switching backends would hide it and slow every later run until the plugin is reopened.
import { errorMessage } from '../core/errors';

/** WebGPU's own error classes (GPUError subclasses, and what a lost device's work rejects with). */
const GPU_ERROR_NAMES: ReadonlySet<string> = new Set([
  'GPUError',
  'GPUValidationError',
  'GPUOutOfMemoryError',
  'GPUInternalError',
  'GPUPipelineError',
  'OperationError',
]);

/** Words onnxruntime-web's WebGPU backend and the browser use in device, buffer and shader failures. */
const GPU_WORDS = /webgpu|\bgpu|device|adapter|shader|wgsl|out of memory/i;

export function isGpuError(err: unknown): boolean {
  const name = err && typeof err === 'object' && 'name' in err ? String((err as { name: unknown }).name) : '';
  return GPU_ERROR_NAMES.has(name) || GPU_WORDS.test(errorMessage(err));
}
