import { describe, expect, it } from 'vitest';
import { isSoftwareAdapter, isSoftwareRenderer } from './software-gpu';

describe('software GPU detection', () => {
  it('flags SwiftShader and fallback adapters, not real GPUs', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe(true);
    expect(
      isSoftwareAdapter({ vendor: 'intel', architecture: 'gen-12lp', isFallbackAdapter: true }),
    ).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere' })).toBe(false);
    expect(isSoftwareAdapter(undefined)).toBe(false);
  });

  it('reads WebGL renderer strings', () => {
    expect(
      isSoftwareRenderer(
        'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)',
      ),
    ).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11)')).toBe(false);
    expect(isSoftwareRenderer(null)).toBe(false);
  });
});

describe('wasm binary notices', () => {
  it('says what is missing, and nothing when SIMD and threads are there', async () => {
    const { wasmBinaryNotices } = await import('./select');
    expect(await wasmBinaryNotices(async () => true)).toEqual([]);
    const none = await wasmBinaryNotices(async () => false);
    expect(none).toHaveLength(2);
    expect(none[0]).toMatch(/SIMD/);
    expect(none[1]).toMatch(/one core/);
  });
});
