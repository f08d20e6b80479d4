import { describe, expect, it } from 'vitest';
import { csrWords } from './paths';

const layers = {
  names: ['conv1', 'conv2', 'dense1', 'logits'],
  density: [0.875, 0.264, 0.087, 0.451],
};

describe('csrWords: the float note names the layers on the CSR kernel', () => {
  it('says dense kernels when no layer runs CSR', () => {
    const modes = ['dense', 'dense', 'dense', 'dense'];
    expect(csrWords({ ...layers, modes, smallModes: modes })).toBe('dense kernels');
  });

  it('names each CSR layer with its non-zero share, once when both batches agree', () => {
    const modes = ['dense', 'csr', 'csr', 'dense'];
    expect(csrWords({ ...layers, modes, smallModes: modes })).toBe(
      'CSR sparse kernel in conv2 (26 % non-zero) and dense1 (9 %), dense elsewhere (measured faster there)',
    );
  });

  it('says batch 32 and batch 1 apart when their choices differ', () => {
    expect(
      csrWords({
        ...layers,
        modes: ['csr', 'csr', 'csr', 'dense'],
        smallModes: ['dense', 'dense', 'dense', 'dense'],
      }),
    ).toBe(
      'CSR sparse kernel in conv1 (88 % non-zero), conv2 (26 %) and dense1 (9 %) at batch 32 and no layer at batch 1, dense elsewhere (each measured faster there)',
    );
  });
});
