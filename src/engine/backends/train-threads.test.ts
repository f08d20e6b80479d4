import { describe, expect, it } from 'vitest';
import { halves } from './train-threads';

describe('halves', () => {
  it('splits a batch into the same two halves whatever runs them; the second may be empty', () => {
    expect(halves(128)).toEqual([
      [0, 64],
      [64, 128],
    ]);
    expect(halves(7)).toEqual([
      [0, 4],
      [4, 7],
    ]);
    expect(halves(1)).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });
});
