import { describe, expect, it } from 'vitest';
import { experimentSchema } from '../../experiment/schema';
import {
  BACKEND_MEMORY_BYTES,
  ResourceError,
  estimateRunMemory,
  isOutOfMemory,
  memoryRefusal,
  outOfMemoryMessage,
} from './memory';

const reference = experimentSchema.parse({
  dataset: { id: 'mnist', trainSize: 10_000, testSize: 2000 },
  teacher: {
    architecture: {
      kind: 'cnn',
      convs: [
        { filters: 16, kernel: 3 },
        { filters: 32, kernel: 3 },
      ],
      dense: [128],
      activation: 'relu',
    },
    training: { optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 2 },
  },
});

/** Wide 1×1 convs on full MNIST at a huge batch: far beyond a 4 GiB heap. */
const huge = experimentSchema.parse({
  ...reference,
  dataset: { id: 'mnist', trainSize: 60_000, testSize: 10_000 },
  teacher: {
    architecture: {
      kind: 'cnn',
      convs: [
        { filters: 128, kernel: 1 },
        { filters: 128, kernel: 1 },
      ],
      dense: [1024],
      activation: 'relu',
    },
    training: { optimizer: 'adam', learningRate: 0.001, batchSize: 4096, epochs: 1 },
  },
});

describe('run memory estimate', () => {
  it('counts the data set and the largest model in training (weights ×4, activations ×3)', () => {
    const e = estimateRunMemory(reference);
    expect(e.datasetBytes).toBe(12_000 * (4 * 784 + 1));
    // 108,618 params; outputs per example 26²·16 + 13²·16 + 11²·32 + 5²·32 + 800 + 128 + 10.
    const outputs = 676 * 16 + 169 * 16 + 121 * 32 + 25 * 32 + 800 + 128 + 10;
    expect(e.trainingBytes).toBe(4 * (4 * 108_618 + 3 * 256 * (784 + outputs)));
    expect(e.largest).toBe('the teacher');
    expect(e.totalBytes).toBe(e.datasetBytes + e.trainingBytes);
    expect(memoryRefusal(reference, 'wasm')).toBeNull();
  });

  it('refuses what no backend holds, saying what it needs and what to change', () => {
    const e = estimateRunMemory(huge);
    expect(e.totalBytes).toBeGreaterThan(BACKEND_MEMORY_BYTES.wasm);
    expect(memoryRefusal(huge, 'wasm')).toMatch(
      /^This run needs about \d+\.\d GiB \(the data set 0\.\d\d GiB, training the teacher \d+\.\d GiB\), more than the 4\.0 GiB the wasm backend can hold: use fewer training examples, a smaller batch size or narrower layers\./,
    );
  });

  it('names the student when a student is the largest model', () => {
    const wide = experimentSchema.parse({
      ...reference,
      teacher: {
        ...reference.teacher,
        architecture: { kind: 'mlp', hidden: [8], activation: 'relu' },
      },
      variants: [
        {
          id: 's',
          name: 'Wide student',
          source: 'student',
          student: { kind: 'mlp', hidden: [1024, 1024, 1024], activation: 'relu' },
          stages: [{ technique: 'distill' }],
        },
      ],
    });
    expect(estimateRunMemory(wide).largest).toBe('the student of “Wide student”');
  });

  it('knows allocation failures from other errors', () => {
    expect(isOutOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemory(new Error('WebAssembly.Memory(): could not allocate memory'))).toBe(true);
    expect(isOutOfMemory(new Error('Failed to allocate buffer of size 2^31'))).toBe(true);
    expect(isOutOfMemory(new Error('rank must be between 1 and 32'))).toBe(false);
    expect(outOfMemoryMessage(reference, 'webgl')).toMatch(
      /^The webgl backend ran out of memory .*Your experiment and earlier results are kept\.$/,
    );
    expect(new ResourceError('x').name).toBe('ResourceError');
  });
});
