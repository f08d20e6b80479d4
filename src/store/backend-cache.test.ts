import { describe, expect, it } from 'vitest';
import { readBackendChoice, writeBackendChoice } from './backend-cache';

function memory(): Storage {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    clear: () => map.clear(),
    key: () => null,
    length: 0,
  };
}

describe('backend choice cache', () => {
  it('round-trips a choice and refuses junk', () => {
    const storage = memory();
    expect(readBackendChoice(storage)).toBeNull();
    writeBackendChoice({ backend: 'wasm', samplesPerSec: 1500 }, storage);
    expect(readBackendChoice(storage)).toEqual({ backend: 'wasm', samplesPerSec: 1500 });
    storage.setItem(
      'compression-playground/backend-choice/v1',
      '{"backend":"tpu","samplesPerSec":1}',
    );
    expect(readBackendChoice(storage)).toBeNull();
    storage.setItem('compression-playground/backend-choice/v1', 'not json');
    expect(readBackendChoice(storage)).toBeNull();
  });

  it('survives a storage that throws (full quota)', () => {
    const full = {
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    expect(() => writeBackendChoice({ backend: 'cpu', samplesPerSec: 1 }, full)).not.toThrow();
  });
});
