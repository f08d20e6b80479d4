import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  RELAXED_SIMD_PROBE,
  SIMD_PROBE,
  compileEngine,
  detectSimd,
  engineUrl,
  instantiate,
  interleavedMedianMs,
  isFallback,
  loadEngine,
} from './engine';
import { relaxedSelfTest } from './self-test';
import { BUILD_TIMEOUT_MS, prepareEngineForTests } from './test-support';

beforeAll(prepareEngineForTests, BUILD_TIMEOUT_MS);

/** WebAssembly.validate of each file in a fresh Node without the relaxed-SIMD flag. */
function validateWithoutRelaxedFlag(files: string[]): boolean[] {
  const script =
    'const fs = require("node:fs");' +
    'console.log(JSON.stringify(process.argv.slice(1).map((f) => WebAssembly.validate(fs.readFileSync(f)))));';
  const env = { ...process.env, NODE_OPTIONS: '' };
  return JSON.parse(execFileSync(process.execPath, ['-e', script, ...files], { env }).toString());
}

describe('feature detection', () => {
  it('probes are well-formed modules: SIMD validates here, relaxed SIMD once its flag is on', () => {
    expect(detectSimd()).toEqual({ simd: true, relaxedSimd: true });
    expect(WebAssembly.validate(SIMD_PROBE)).toBe(true);
    expect(WebAssembly.validate(RELAXED_SIMD_PROBE)).toBe(true);
    // A corrupted probe (unknown SIMD opcode 0x1ff) must not validate: the probes can fail.
    const bad = Uint8Array.from(RELAXED_SIMD_PROBE);
    bad[bad.length - 3] = 0xff;
    bad[bad.length - 2] = 0x03;
    expect(WebAssembly.validate(bad)).toBe(false);
  });

  it('the fixed build validates without relaxed SIMD; the relaxed build and probe do not', () => {
    if (process.versions.node.split('.')[0] !== '20') return; // relaxed SIMD is on by default later
    const probe = fileURLToPath(new URL('./build/probe-relaxed.bin', import.meta.url));
    execFileSync(process.execPath, [
      '-e',
      `require("node:fs").writeFileSync(${JSON.stringify(probe)}, Buffer.from([${RELAXED_SIMD_PROBE.join(',')}]))`,
    ]);
    const files = [engineUrl('simd'), engineUrl('relaxed-simd')].map((u) => fileURLToPath(u));
    expect(validateWithoutRelaxedFlag([...files, probe])).toEqual([true, false, false]);
  });
});

describe('loadEngine', () => {
  it('uses relaxed SIMD only where it validates and passes its self-test, fixed SIMD when asked', async () => {
    const relaxed = await compileEngine('relaxed-simd');
    const fixed = await loadEngine({ prefer: 'simd' });
    const best = await loadEngine();
    if (isFallback(relaxed) || isFallback(fixed) || isFallback(best)) throw new Error('no engine');
    expect(fixed.path).toBe('simd');
    expect(await compileEngine('relaxed-simd')).toBe(relaxed); // compiled once
    const problem = relaxedSelfTest(relaxed.module);
    if (process.versions.node.startsWith('20.')) {
      // V8 11.3 (behind --experimental-wasm-relaxed-simd) gets relaxed dot products wrong.
      expect(problem).toMatch(/relaxed_dot/);
    }
    if (problem) {
      expect(best.path).toBe('simd');
      expect(best.note).toContain(problem);
    } else {
      expect(best).toBe(relaxed);
    }
    const a = instantiate(relaxed);
    const b = instantiate(fixed);
    const c = instantiate(relaxed);
    if (isFallback(a) || isFallback(b) || isFallback(c)) throw new Error('no instance');
    expect(a.i8_has_relaxed()).toBe(1);
    expect(b.i8_has_relaxed()).toBe(0);
    expect(c.memory).not.toBe(a.memory); // one instance (one memory) per prepared model
  });

  it('reads the built files from their module-relative URLs', () => {
    const bytes = readFileSync(engineUrl('simd'));
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x00, 0x61, 0x73, 0x6d]));
    expect(WebAssembly.validate(bytes)).toBe(true);
  });

  it('returns typed reasons instead of throwing', async () => {
    const broken = await loadEngine({ bytes: async () => Uint8Array.of(0, 97, 115, 109, 9) });
    expect(isFallback(broken) && broken.fallback).toBe('compile-failed');
    const missing = await loadEngine({
      bytes: () => Promise.reject(new Error('HTTP 404')),
    });
    expect(isFallback(missing) && missing.fallback).toBe('load-failed');
    expect(isFallback(missing) && missing.detail).toMatch(/404/);
  });
});

describe('interleavedMedianMs', () => {
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };

  it('times the candidates in turn (a busy spell then slows them alike) and keeps each one apart', () => {
    const calls: number[] = [];
    const candidate = (i: number, ms: number) => () => {
      calls.push(i);
      spin(ms);
    };
    const medians = interleavedMedianMs([candidate(0, 0.05), candidate(1, 0.01)], 9);
    // The warm-up calls both for 2 × 5 ms; then 9 rounds of c0 c1.
    expect(calls.length).toBeGreaterThan(18);
    expect(calls.slice(-18)).toEqual(Array.from({ length: 18 }, (_, k) => k % 2));
    expect(medians).toHaveLength(2);
    expect(medians[0]!).toBeGreaterThanOrEqual(0.05);
    expect(medians[1]!).toBeLessThan(medians[0]!);
  });
});
