import { describe, expect, it } from 'vitest';
import { wasmThreadTarget } from './select';

describe('wasmThreadTarget', () => {
  it('asks for 2 threads on 2 or 3 logical cores, where tfjs would use 1', () => {
    expect(wasmThreadTarget(2)).toBe(2);
    expect(wasmThreadTarget(3)).toBe(2);
  });

  it('keeps tfjs’s ⌊cores / 2⌋ on bigger machines and 1 on a single core', () => {
    expect([1, 4, 6, 8, 16].map(wasmThreadTarget)).toEqual([1, 2, 3, 4, 8]);
  });
});
