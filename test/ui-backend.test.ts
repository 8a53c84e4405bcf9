import { describe, expect, it } from 'vitest';
import { backendLabel, backendOverride, detectBackend, executionProviders } from '../ui/backend';

describe('backend selection', () => {
  it('uses WebGPU when navigator.gpu hands out an adapter', async () => {
    const choice = await detectBackend({ gpu: { requestAdapter: async () => ({}) }, isSecureContext: true });
    expect(choice.backend).toBe('webgpu');
    expect(executionProviders(choice.backend)).toEqual(['webgpu']);
    expect(backendLabel('webgpu')).toMatch(/WebGPU/);
  });

  it('falls back to WASM without navigator.gpu, and says why (secure context or not)', async () => {
    expect(await detectBackend({ gpu: undefined, isSecureContext: true })).toEqual({
      backend: 'wasm',
      reason: 'this browser has no WebGPU',
    });
    expect((await detectBackend({ gpu: undefined, isSecureContext: false })).reason).toMatch(/secure context/);
    expect(executionProviders('wasm')).toEqual(['wasm']);
  });

  it('falls back to WASM when there is no adapter, requestAdapter throws or hangs', async () => {
    expect((await detectBackend({ gpu: { requestAdapter: async () => null }, isSecureContext: true })).backend).toBe(
      'wasm',
    );
    const thrown = await detectBackend({
      gpu: {
        requestAdapter: async () => {
          throw new Error('blocklisted');
        },
      },
      isSecureContext: true,
    });
    expect(thrown).toEqual({ backend: 'wasm', reason: 'WebGPU unavailable (blocklisted)' });
    const hung = await detectBackend({
      gpu: { requestAdapter: () => new Promise(() => {}) },
      isSecureContext: true,
      timeoutMs: 20,
    });
    expect(hung.backend).toBe('wasm');
    expect(hung.reason).toMatch(/timed out/);
  });

  it('prefers WASM over a software (fallback) adapter', async () => {
    for (const adapter of [{ isFallbackAdapter: true }, { info: { isFallbackAdapter: true } }]) {
      const choice = await detectBackend({ gpu: { requestAdapter: async () => adapter }, isSecureContext: true });
      expect(choice.backend).toBe('wasm');
      expect(choice.reason).toMatch(/software/);
    }
  });

  it('honours an override (the playground injects it as a meta tag)', async () => {
    const gpu = { requestAdapter: async () => ({ info: { isFallbackAdapter: true } }) };
    expect((await detectBackend({ gpu, isSecureContext: true, force: 'wasm' })).backend).toBe('wasm');
    expect((await detectBackend({ gpu, isSecureContext: true, force: 'webgpu' })).backend).toBe('webgpu');
    expect(backendOverride('webgpu')).toBe('webgpu');
    expect(backendOverride(' WASM ')).toBe('wasm');
    expect(backendOverride(null)).toBeNull();
    expect(backendOverride('gpu')).toBeNull();
  });
});
